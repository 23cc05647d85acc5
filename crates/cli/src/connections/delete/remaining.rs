//! The ids a stopped run did not attempt, written one per line so that the same command with
//! `--from-file` picks up where it stopped.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use exsited_core::ConnectionId;

use super::ids::Origin;

/// Next to the input file (`ids.txt.remaining`), or in the current directory for ids from
/// arguments or standard input.
pub(crate) fn default_path(origin: Option<&Origin>) -> PathBuf {
    match origin {
        Some(Origin::File(path)) => {
            let mut name = path.as_os_str().to_owned();
            name.push(".remaining");
            PathBuf::from(name)
        }
        _ => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            PathBuf::from(format!("exsited-remaining-{secs}.txt"))
        }
    }
}

/// Writes every id of `ids` to `path` (replacing it) and returns how many there were.
pub(crate) fn write(path: &Path, ids: impl Iterator<Item = ConnectionId>) -> io::Result<u64> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut count = 0;
    for id in ids {
        writeln!(out, "{id}")?;
        count += 1;
    }
    out.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_sits_next_to_the_input() {
        let path = default_path(Some(&Origin::File("/data/ids.txt".into())));
        assert_eq!(path, Path::new("/data/ids.txt.remaining"));
        let stdin = default_path(Some(&Origin::Stdin));
        assert!(
            stdin.to_string_lossy().starts_with("exsited-remaining-"),
            "{stdin:?}"
        );
    }

    #[test]
    fn writes_one_id_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rest");
        let ids = [ConnectionId::random(), ConnectionId::random()];
        assert_eq!(write(&path, ids.into_iter()).unwrap(), 2);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{}\n{}\n", ids[0], ids[1]));
    }
}
