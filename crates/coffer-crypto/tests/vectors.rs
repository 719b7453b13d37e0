//! Reads the known-answer files in `tests/vectors/` (format in its README).

use std::collections::BTreeMap;

/// One record: its fields by name, hex values decoded, `_text` values as UTF-8 bytes (under
/// the name without the suffix).
pub type Record = BTreeMap<String, Vec<u8>>;

/// The records of `tests/vectors/<file>`.
pub fn load(file: &str) -> Vec<Record> {
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut records = Vec::new();
    let mut current = Record::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if !current.is_empty() {
                records.push(std::mem::take(&mut current));
            }
            continue;
        }
        let (name, value) = line.split_once(" = ").unwrap();
        let (name, bytes) = match name.strip_suffix("_text") {
            Some(name) => (name, value.as_bytes().to_vec()),
            None => (name, hex(value)),
        };
        assert!(current.insert(name.to_owned(), bytes).is_none(), "{path}: `{name}` twice");
    }
    if !current.is_empty() {
        records.push(current);
    }
    records
}

/// Bytes from hex, ignoring whitespace.
pub fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|byte| !byte.is_ascii_whitespace()).collect();
    assert!(digits.len() % 2 == 0, "odd number of hex digits");
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// The field `name` of `record`.
pub fn field<'a>(record: &'a Record, name: &str) -> &'a [u8] {
    record.get(name).unwrap_or_else(|| panic!("no `{name}` in {record:?}"))
}
