//! Where log lines go: standard error, written by one background thread.
//!
//! `serve` logs a line per request. Written from the request's task, each line is a `write`
//! system call on an unbuffered standard error, under its lock, on the request's thread (about
//! 8 % of a short request). Here a line is formatted into its own buffer and handed over a
//! bounded channel; the writer thread writes whatever has queued up in one buffered write.
//! While lines keep coming, the writer does not wait on the channel but looks every
//! [`BATCH`]: a sender then finds nobody to wake, where waking the writer for each line cost
//! a system call and a switch of threads per request (6 % of a one-row read). After
//! [`IDLE`] without a line it waits on the channel again, so an idle server sleeps.
//! Nothing is dropped: a full queue (a flood of lines faster than the terminal or the log
//! collector reads) makes the logging task wait, as a direct write would. [`flush`] waits until
//! every line sent before it is written; the command line calls it before the process exits.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::time::Duration;

/// Lines queued at most before loggers wait for the writer.
const QUEUE: usize = 16_384;

/// How long the writer lets lines queue up while they keep coming (at most this late).
const BATCH: Duration = Duration::from_millis(5);

/// How long without a line before the writer waits on the channel instead of looking.
const IDLE: Duration = Duration::from_millis(200);

enum Message {
    Line(Vec<u8>),
    Flush(SyncSender<()>),
}

static SINK: OnceLock<SyncSender<Message>> = OnceLock::new();

/// The `MakeWriter` of the log subscriber: each event gets a [`Line`] buffer, sent to the
/// writer thread when the event is complete.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stderr;

impl Stderr {
    /// Starts the writer thread (once; later calls do nothing). Without it, lines are written
    /// straight to standard error.
    pub fn start() -> Self {
        SINK.get_or_init(|| {
            let (tx, rx) = sync_channel(QUEUE);
            let spawned = std::thread::Builder::new()
                .name("log-writer".into())
                .spawn(move || write_lines(&rx));
            if spawned.is_err() {
                // No thread: a receiver nobody reads would block the first full queue forever.
                let (tx, _) = sync_channel(0);
                return tx;
            }
            tx
        });
        Self
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Stderr {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line(Vec::with_capacity(256))
    }
}

/// One log line being formatted.
pub struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let line = std::mem::take(&mut self.0);
        let unsent = match SINK.get() {
            Some(sink) => sink.send(Message::Line(line)).err().map(|e| match e.0 {
                Message::Line(line) => line,
                Message::Flush(_) => Vec::new(),
            }),
            None => Some(line),
        };
        if let Some(line) = unsent {
            let _ = std::io::stderr().write_all(&line);
        }
    }
}

fn write_lines(rx: &Receiver<Message>) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    let mut quiet = IDLE;
    loop {
        let first = if quiet >= IDLE {
            match rx.recv() {
                Ok(message) => message,
                Err(_) => return,
            }
        } else {
            std::thread::sleep(BATCH);
            match rx.try_recv() {
                Ok(message) => message,
                Err(TryRecvError::Empty) => {
                    quiet += BATCH;
                    continue;
                }
                Err(TryRecvError::Disconnected) => return,
            }
        };
        quiet = Duration::ZERO;
        let mut acks = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Line(line) => {
                    let _ = out.write_all(&line);
                }
                Message::Flush(ack) => acks.push(ack),
            }
            next = rx.try_recv().ok();
        }
        let _ = out.flush();
        for ack in acks {
            let _ = ack.send(());
        }
    }
}

/// Waits (at most a second) until every line logged before the call is written.
pub fn flush() {
    let Some(sink) = SINK.get() else { return };
    let (ack, done) = sync_channel(1);
    if sink.send(Message::Flush(ack)).is_ok() {
        let _ = done.recv_timeout(Duration::from_secs(1));
    }
}
