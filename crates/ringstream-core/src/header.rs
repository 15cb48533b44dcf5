//! CSV header names: empty names filled in and repeated names made unique, so no value is
//! dropped when records become objects.

use std::collections::HashSet;

/// The keys for a CSV header row.
///
/// Columns are named left to right. An empty name becomes `column_<n>` (1-based column). A name
/// already taken by an earlier column gets the first free suffix among `_2`, `_3`, … (so
/// `a,a,a` → `a`, `a_2`, `a_3`, and `a,a_2,a` → `a`, `a_2`, `a_3`). "Taken" means taken by an
/// earlier column's final name, which keeps every key distinct.
///
/// ```
/// use ringstream_core::header_names;
/// assert_eq!(header_names(["id", "", "id", "id"]), ["id", "column_2", "id_2", "id_3"]);
/// ```
pub fn header_names<'a>(fields: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    let mut names = Vec::new();
    for (index, field) in fields.into_iter().enumerate() {
        let base =
            if field.is_empty() { format!("column_{}", index + 1) } else { field.to_owned() };
        let mut name = base.clone();
        let mut suffix = 2u64;
        while taken.contains(&name) {
            name = format!("{base}_{suffix}");
            suffix += 1;
        }
        taken.insert(name.clone());
        names.push(name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupe_rules() {
        assert_eq!(header_names(["a", "b"]), ["a", "b"]);
        assert_eq!(header_names(["", ""]), ["column_1", "column_2"]);
        assert_eq!(header_names(["a", "a_2", "a"]), ["a", "a_2", "a_3"]);
        assert_eq!(header_names(["a", "a", "a_2"]), ["a", "a_2", "a_2_2"]);
        assert_eq!(header_names(["column_2", ""]), ["column_2", "column_2_2"]);
        assert_eq!(header_names(["", "column_1"]), ["column_1", "column_1_2"]);
        assert_eq!(header_names(["__proto__", "x"]), ["__proto__", "x"]);
        assert_eq!(header_names([]), Vec::<String>::new());
    }
}
