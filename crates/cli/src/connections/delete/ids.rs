//! The connection ids to delete, from the command line and a file (or standard input), read
//! twice: a first pass validates every line and counts the distinct ids before any request is
//! sent; a second pass streams them to the deletes, skipping duplicates.
//!
//! Memory stays flat in the size of the input except for one 16-byte entry per distinct id (the
//! duplicate check). Lines are read with a bounded buffer, so a file of one huge line cannot
//! exhaust memory. Standard input is spooled to an anonymous temporary file first, because it
//! can be read only once.
//!
//! In a line, surrounding whitespace is ignored, and so are blank lines and lines starting
//! with `#`. Only ids that the first pass validated are ever yielded: a file changed between
//! the passes cannot slip a new id in.

use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use exsited_core::ConnectionId;

/// The longest line kept; a longer one is not an id and is reported cut.
const MAX_LINE_BYTES: usize = 4096;
/// How many bad lines a failed validation lists before it only counts.
const MAX_REPORTED: usize = 10;

/// Where the ids of a file come from, for messages.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A file named on the command line.
    File(PathBuf),
    /// Standard input (`--from-file -`).
    Stdin,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Stdin => f.write_str("standard input"),
        }
    }
}

/// The input, ready for its two passes.
#[derive(Debug)]
pub struct Input {
    args: Vec<String>,
    file: Option<(File, Origin)>,
}

/// What the first pass found wrong: the first few bad entries and how many there were.
#[derive(Debug)]
pub struct Invalid {
    /// The first bad entries, each naming its argument or line.
    pub reported: Vec<String>,
    /// How many entries were bad.
    pub total: u64,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.reported {
            writeln!(f, "{line}")?;
        }
        let more = self.total - self.reported.len() as u64;
        if more > 0 {
            writeln!(f, "... and {more} more invalid entries")?;
        }
        write!(f, "nothing was deleted: fix or remove the invalid entries")
    }
}

impl Input {
    /// The ids given as arguments, and the file at `from_file` (`-` for standard input, which
    /// is spooled to a temporary file here).
    pub fn open(args: Vec<String>, from_file: Option<&Path>) -> io::Result<Self> {
        let file = match from_file {
            None => None,
            Some(path) if path == Path::new("-") => {
                let mut spool = tempfile::tempfile()?;
                io::copy(&mut io::stdin().lock(), &mut spool)?;
                Some((spool, Origin::Stdin))
            }
            Some(path) => Some((File::open(path)?, Origin::File(path.to_owned()))),
        };
        Ok(Self { args, file })
    }

    /// The file's origin, if ids come from one.
    pub fn origin(&self) -> Option<&Origin> {
        self.file.as_ref().map(|(_, origin)| origin)
    }

    /// The first pass: every entry validated, the distinct ids counted. Sends nothing.
    pub fn validate(mut self) -> io::Result<Result<IdSource, Invalid>> {
        let mut distinct: HashSet<[u8; 16]> = HashSet::new();
        let mut invalid = Invalid {
            reported: Vec::new(),
            total: 0,
        };
        let mut reject = |what: String| {
            invalid.total += 1;
            if invalid.reported.len() < MAX_REPORTED {
                invalid.reported.push(what);
            }
        };
        for (i, arg) in self.args.iter().enumerate() {
            match ConnectionId::parse(arg.trim()) {
                Ok(id) => {
                    distinct.insert(*id.as_uuid().as_bytes());
                }
                Err(e) => reject(format!("argument {}: {e}", i + 1)),
            }
        }
        if let Some((file, origin)) = &mut self.file {
            file.seek(SeekFrom::Start(0))?;
            let mut lines = Lines::new(BufReader::new(&*file));
            while let Some((number, text)) = lines.next_entry()? {
                match ConnectionId::parse(text) {
                    Ok(id) => {
                        distinct.insert(*id.as_uuid().as_bytes());
                    }
                    Err(e) => reject(format!("line {number} of {origin}: {e}")),
                }
            }
        }
        if invalid.total > 0 {
            return Ok(Err(invalid));
        }
        let reader = match self.file {
            Some((mut file, _)) => {
                file.seek(SeekFrom::Start(0))?;
                Some(Lines::new(BufReader::new(file)))
            }
            None => None,
        };
        let args: Vec<ConnectionId> = self
            .args
            .iter()
            .filter_map(|a| ConnectionId::parse(a.trim()).ok())
            .collect();
        Ok(Ok(IdSource {
            total: distinct.len() as u64,
            args: args.into_iter(),
            reader,
            pending: distinct,
            error: None,
        }))
    }
}

/// The second pass: each validated id once, in input order (arguments first).
#[derive(Debug)]
pub struct IdSource {
    total: u64,
    args: std::vec::IntoIter<ConnectionId>,
    reader: Option<Lines<BufReader<File>>>,
    /// The validated ids not yielded yet: yielding removes, so a duplicate finds nothing.
    pending: HashSet<[u8; 16]>,
    error: Option<io::Error>,
}

impl IdSource {
    /// How many distinct ids the input holds.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The read error that ended the stream early, if any.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    fn first_time(&mut self, id: ConnectionId) -> bool {
        self.pending.remove(id.as_uuid().as_bytes())
    }
}

impl Iterator for IdSource {
    type Item = ConnectionId;

    fn next(&mut self) -> Option<ConnectionId> {
        while let Some(id) = self.args.next() {
            if self.first_time(id) {
                return Some(id);
            }
        }
        loop {
            let entry = match self.reader.as_mut()?.next_entry() {
                Ok(Some((_, text))) => ConnectionId::parse(text).ok(),
                Ok(None) => return None,
                Err(e) => {
                    self.error = Some(e);
                    self.reader = None;
                    return None;
                }
            };
            if let Some(id) = entry
                && self.first_time(id)
            {
                return Some(id);
            }
        }
    }
}

/// Lines of at most [`MAX_LINE_BYTES`], numbered from 1, trimmed, with blank lines and
/// `#` comments skipped.
#[derive(Debug)]
struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    text: String,
    number: u64,
}

impl<R: BufRead> Lines<R> {
    fn new(reader: R) -> Self {
        Self {
            reader,
            buf: Vec::new(),
            text: String::new(),
            number: 0,
        }
    }

    /// The next entry and its line number.
    fn next_entry(&mut self) -> io::Result<Option<(u64, &str)>> {
        loop {
            if !self.read_line()? {
                return Ok(None);
            }
            self.number += 1;
            self.text = String::from_utf8_lossy(&self.buf).into_owned();
            let trimmed = self.text.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                let (start, end) = trimmed_bounds(&self.text);
                return Ok(Some((self.number, &self.text[start..end])));
            }
        }
    }

    /// Reads one line into `buf`, keeping at most `MAX_LINE_BYTES` (a longer line keeps its
    /// start, enough to echo it). `false` at the end of input.
    fn read_line(&mut self) -> io::Result<bool> {
        self.buf.clear();
        let mut any = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(any);
            }
            any = true;
            let (chunk, used, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..i], i + 1, true),
                None => (available, available.len(), false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            self.reader.consume(used);
            if done {
                return Ok(true);
            }
        }
    }
}

fn trimmed_bounds(text: &str) -> (usize, usize) {
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    (start, end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const A: &str = "123e4567-e89b-12d3-a456-426614174000";
    const B: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

    fn file_with(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        file
    }

    #[test]
    fn duplicates_comments_and_blank_lines_are_skipped() {
        let file = file_with(&format!(
            "# ids\n{A}\n\n  {B}\r\n{A}\n{}\n",
            A.to_uppercase()
        ));
        let input = Input::open(vec![B.into()], Some(file.path())).unwrap();
        let source = input.validate().unwrap().unwrap();
        assert_eq!(source.total(), 2);
        let ids: Vec<String> = source.map(|id| id.to_string()).collect();
        assert_eq!(ids, [B, A]);
    }

    #[test]
    fn bad_entries_are_named_by_line_and_cut() {
        let long = "x".repeat(100_000);
        let file = file_with(&format!("{A}\nnot-a-uuid\n{long}\n"));
        let input = Input::open(vec!["bad-arg".into()], Some(file.path())).unwrap();
        let invalid = input.validate().unwrap().unwrap_err();
        assert_eq!(invalid.total, 3);
        let text = invalid.to_string();
        assert!(
            text.contains("argument 1: invalid connection id \"bad-arg\""),
            "{text}"
        );
        assert!(text.contains("line 2 of"), "{text}");
        assert!(text.contains("line 3 of"), "{text}");
        assert!(text.len() < 2000, "long input is cut: {}", text.len());
    }

    #[test]
    fn a_file_changed_between_the_passes_cannot_add_ids() {
        let mut source = Input::open(vec![A.into()], None)
            .unwrap()
            .validate()
            .unwrap()
            .unwrap();
        assert!(!source.first_time(ConnectionId::parse(B).unwrap()));
        assert_eq!(source.next().map(|id| id.to_string()).as_deref(), Some(A));
        assert_eq!(source.next(), None);
    }
}
