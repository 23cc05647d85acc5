//! The ids file that `exsited connections delete --from-file` reads
//! (`exsited_cli::delete_ids`), checked against a model of its documented rules.

use std::io::Write;

use exsited_cli::delete_ids::Input;
use exsited_core::ConnectionId;

use crate::planted::assert_bounded;

/// The longest line the reader keeps; the rest of a longer line is dropped.
const MAX_LINE_BYTES: usize = 4096;
/// How many bad entries an error lists.
const MAX_REPORTED: usize = 10;

/// Writes `data` to a file, reads it as the ids to delete, and checks the outcome against a
/// model written here from the documented rules (one id per line, at most 4096 bytes of each
/// kept, surrounding white space ignored, blank lines and `#` lines skipped, duplicates dropped,
/// the first occurrence kept in place):
///
/// - a file whose every entry is an id yields exactly the model's distinct ids, in order, and
///   counts them;
/// - a file with bad entries is refused with the model's count of them, lists the first ten,
///   and each listed entry (so the whole message) is bounded in length however long the lines.
pub fn delete_ids(data: &[u8]) {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    file.write_all(data).expect("the file is written");
    let input = Input::open(Vec::new(), Some(file.path())).expect("the file opens");
    let entries = model(data);
    let bad = entries.iter().filter(|e| e.is_none()).count();
    match input.validate().expect("the file is read") {
        Ok(source) => {
            assert_eq!(bad, 0, "a file with bad entries was accepted");
            let mut distinct: Vec<ConnectionId> = Vec::new();
            for id in entries.into_iter().flatten() {
                if !distinct.contains(&id) {
                    distinct.push(id);
                }
            }
            assert_eq!(source.total(), distinct.len() as u64);
            let yielded: Vec<ConnectionId> = source.collect();
            assert_eq!(yielded, distinct);
        }
        Err(invalid) => {
            assert!(bad > 0, "a file of valid ids was refused: {invalid}");
            assert_eq!(invalid.total, bad as u64);
            assert_eq!(invalid.reported.len(), bad.min(MAX_REPORTED));
            for entry in &invalid.reported {
                assert_bounded("a bad entry", entry, crate::MAX_ERROR_BYTES);
            }
            let message = invalid.to_string();
            assert_bounded(
                "the refusal",
                &message,
                (MAX_REPORTED + 1) * crate::MAX_ERROR_BYTES,
            );
        }
    }
}

/// Each entry of the file, in order: its id, or `None` when it is not one.
fn model(data: &[u8]) -> Vec<Option<ConnectionId>> {
    let mut lines: Vec<&[u8]> = data.split(|b| *b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
        .into_iter()
        .filter_map(|line| {
            let kept = &line[..line.len().min(MAX_LINE_BYTES)];
            let text = String::from_utf8_lossy(kept);
            let entry = text.trim();
            (!entry.is_empty() && !entry.starts_with('#')).then(|| ConnectionId::parse(entry).ok())
        })
        .collect()
}
