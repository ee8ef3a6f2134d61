//! Owner-only files and folders for what the server keeps on disk: SQLite databases and
//! generated signing keys.
//!
//! Both hold secrets (password hashes, refresh-token hashes, the key that signs every access
//! token), so they are created `0600` and their folders `0700` whatever the process umask is.
//! SQLite gives its `-wal` and `-shm` side files the permissions of the database file, which is
//! why a database file is created here, owner-only, before SQLite opens it. Files left readable
//! by an older version are tightened when opened. Elsewhere than on Unix these functions only
//! create.

use std::io;
use std::path::Path;

/// Permission bits of group and others.
#[cfg(unix)]
const GROUP_OTHER: u32 = 0o077;

/// Creates `dir` and its missing parents, owner-only. An existing folder is left as it is:
/// it may be a folder the operator chose and shares on purpose.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `dir` owner-only, or makes an existing one owner-only: for folders the server
/// owns, such as `tenants/` and `keys/` in the data directory.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    create_private_dir(dir)?;
    restrict(dir, 0o700)
}

/// Creates `file` empty and owner-only if it does not exist, and makes it owner-only if it
/// does (an existing file keeps its content). Its SQLite `-wal`/`-shm` files, if present,
/// are made owner-only too.
pub fn ensure_private_file(file: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    drop(options.open(file)?);
    restrict(file, 0o600)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = file.as_os_str().to_owned();
        side.push(suffix);
        restrict(Path::new(&side), 0o600)?;
    }
    Ok(())
}

/// The permission bits of `file` when group or others may access it, `None` when only its
/// owner may (or the platform has no such bits).
pub fn loose_mode(file: &Path) -> io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file)?.permissions().mode() & 0o777;
        Ok((mode & GROUP_OTHER != 0).then_some(mode))
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(file).map(|_| None)
    }
}

/// Sets `path` to `mode` when it exists and group or others have any access to it.
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let current = match std::fs::metadata(path) {
            Ok(m) => m.permissions().mode(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if current & GROUP_OTHER != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_owner_only_and_loose_ones_are_tightened() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&tmp.path().join("a")), 0o700);
        assert_eq!(mode(&dir), 0o700);

        let file = dir.join("x.db");
        std::fs::write(&file, b"kept").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let wal = dir.join("x.db-wal");
        std::fs::write(&wal, b"").unwrap();
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(loose_mode(&file).unwrap(), Some(0o644));
        ensure_private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&wal), 0o600);
        assert_eq!(std::fs::read(&file).unwrap(), b"kept");
        assert_eq!(loose_mode(&file).unwrap(), None);

        let shared = tmp.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
        ensure_private_dir(&shared).unwrap();
        assert_eq!(mode(&shared), 0o700);
    }
}
