//! Page-size rules shared by every Relay connection (API_CONVENTIONS.md, Reading): 20 rows by
//! default, at most 100; more is a `VALIDATION` error naming the argument. The same numbers
//! price a list field for the complexity limit (`first × child`).

use crate::error::AppError;

/// Rows in a page when the client asks for no size.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Most rows a page may have.
pub const MAX_PAGE_SIZE: usize = 100;

/// The page size asked for by `first` or `last`.
pub fn page_size(first: Option<i32>, last: Option<i32>) -> Result<usize, AppError> {
    let (name, value) = match (first, last) {
        (Some(_), Some(_)) => {
            return Err(AppError::validation(
                "first",
                "give `first` or `last`, not both",
            ));
        }
        (Some(n), None) => ("first", n),
        (None, Some(n)) => ("last", n),
        (None, None) => return Ok(DEFAULT_PAGE_SIZE),
    };
    match usize::try_from(value) {
        Ok(n) if n <= MAX_PAGE_SIZE => Ok(n),
        _ => Err(AppError::validation(
            name,
            format!("`{name}` must be between 0 and {MAX_PAGE_SIZE}"),
        )),
    }
}

/// Complexity of a list field: its page size times the complexity of one row. A page size
/// the rules refuse is priced at the maximum (the resolver then refuses it).
pub fn list_complexity(child: usize, first: Option<i32>, last: Option<i32>) -> usize {
    page_size(first, last)
        .unwrap_or(MAX_PAGE_SIZE)
        .max(1)
        .saturating_mul(child)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_default_to_twenty_and_stop_at_one_hundred() {
        assert_eq!(page_size(None, None).unwrap(), 20);
        assert_eq!(page_size(Some(100), None).unwrap(), 100);
        assert_eq!(page_size(None, Some(0)).unwrap(), 0);
        for (first, last, field) in [
            (Some(101), None, "first"),
            (None, Some(-1), "last"),
            (Some(1), Some(1), "first"),
        ] {
            let err = page_size(first, last).unwrap_err();
            assert!(
                matches!(err, AppError::Validation { field: ref f, .. } if f == field),
                "{err:?}"
            );
        }
    }

    #[test]
    fn a_list_costs_its_page_size_times_a_row() {
        assert_eq!(list_complexity(5, Some(100), None), 500);
        assert_eq!(list_complexity(5, None, None), 100);
        assert_eq!(list_complexity(5, Some(10_000), None), 500);
    }
}
