//! Reading workspace files safely, and the file map that turns byte offsets into line:column.
//!
//! Every file prov reads goes through [`read_text`] or [`read_bytes`]: they refuse symlinks that
//! leave the workspace and files too large to be a document, and name the byte offset of the
//! first invalid UTF-8 sequence. The [`Files`] set owns the text of every loaded TOML file so
//! diagnostics can point into it.

use std::fs;
use std::io::Read;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The largest file prov treats as a document or claim file (256 MiB).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// An index into [`Files`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A loaded text file: its workspace-relative path (with `/` separators) and contents.
#[derive(Debug, Clone)]
pub struct File {
    pub path: String,
    /// Shared: the strings of a claim file written without escapes are slices of it
    /// ([`Text`]), not copies.
    pub text: Arc<String>,
    /// The 1-based line at every [`LINE_BLOCK`]-th byte of `text` (and at its end): a line is
    /// found by counting the newlines of at most one block. 1/64 of the text's size, where an
    /// entry per line was 4 bytes a line (3 MB of a 100k-citation workspace's 24 MB of claim
    /// files, held for the whole run).
    block_lines: Vec<u32>,
}

/// The bytes between two entries of a [`File`]'s line index.
const LINE_BLOCK: usize = 256;

impl File {
    pub fn new(path: String, text: String) -> Self {
        let bytes = text.as_bytes();
        // Sized exactly: the index lives as long as the run.
        let mut block_lines = Vec::with_capacity(bytes.len() / LINE_BLOCK + 1);
        let mut line = 1u32;
        for block in bytes.chunks(LINE_BLOCK) {
            block_lines.push(line);
            let newlines = u32::try_from(bytecount::count(block, b'\n')).unwrap_or(u32::MAX);
            line = line.saturating_add(newlines);
        }
        if bytes.len().is_multiple_of(LINE_BLOCK) {
            block_lines.push(line);
        }
        File {
            path,
            text: Arc::new(text),
            block_lines,
        }
    }

    /// 1-based line and 1-based column (in code points) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text.as_bytes()[..offset];
        let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (self.line(offset), col + 1)
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        let block = offset / LINE_BLOCK;
        let first = self.block_lines.get(block).map_or(1, |&l| l as usize);
        let counted = self
            .text
            .as_bytes()
            .get(block * LINE_BLOCK..offset)
            .unwrap_or_default();
        first + bytecount::count(counted, b'\n')
    }

    /// Byte offset where 1-based `line` starts (the end of the text past its last line).
    pub fn line_start(&self, line: usize) -> usize {
        if line <= 1 {
            return 0;
        }
        // The last block that begins before `line`: the newline that ends line `line - 1` is
        // in it, or in no block.
        let block = self
            .block_lines
            .partition_point(|&l| (l as usize) < line)
            .saturating_sub(1);
        let first = self.block_lines.get(block).map_or(1, |&l| l as usize);
        let from = block * LINE_BLOCK;
        let rest = self.text.as_bytes().get(from..).unwrap_or_default();
        memchr::memchr_iter(b'\n', rest)
            .nth(line - first - 1)
            .map_or(self.text.len(), |i| from + i + 1)
    }
}

/// A string read from a workspace file: a slice of the file's text when the file spells it as
/// is (a TOML string written without escapes: nearly every quote and fact), else a copy of its
/// own. 16 bytes, and no allocation of its own for the 160,000 quotes and facts of a large
/// workspace (15 MB of copies, and the holes they left among the parser's freed memory).
#[derive(Clone)]
pub struct Text {
    text: Arc<String>,
    /// `u32::MAX`: the whole of `text` (a copy of its own).
    start: u32,
    len: u32,
}

impl Text {
    /// The string `value`, written at `span` of `file`'s text (its token, delimiters
    /// included): a slice of the text when the token is `value` between two one-byte
    /// delimiters, else a copy.
    pub fn read(file: &Arc<String>, span: &Range<usize>, value: &str) -> Text {
        let inner = span.start.saturating_add(1)..span.end.saturating_sub(1);
        if file.get(inner.clone()) == Some(value)
            && let (Ok(start), Ok(len)) = (u32::try_from(inner.start), u32::try_from(value.len()))
            && start != u32::MAX
        {
            return Text {
                text: Arc::clone(file),
                start,
                len,
            };
        }
        Text::from(value.to_string())
    }

    /// The file text it is a slice of, and the slice's byte range; `None` for a copy.
    pub fn slice_of(&self) -> Option<(&Arc<String>, (u32, u32))> {
        (self.start != u32::MAX).then_some((&self.text, (self.start, self.start + self.len)))
    }

    pub fn as_str(&self) -> &str {
        if self.start == u32::MAX {
            return &self.text;
        }
        let start = self.start as usize;
        // Made in bounds, on character boundaries, by `read`.
        self.text
            .get(start..start + self.len as usize)
            .unwrap_or_default()
    }
}

impl From<String> for Text {
    fn from(value: String) -> Self {
        Text {
            text: Arc::new(value),
            start: u32::MAX,
            len: 0,
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

/// All text files loaded for one run.
#[derive(Debug, Default, Clone)]
pub struct Files {
    files: Vec<File>,
}

impl Files {
    pub fn add(&mut self, path: String, text: String) -> FileId {
        self.push(File::new(path, text))
    }

    /// Add a file built elsewhere (e.g. on another thread).
    pub fn push(&mut self, file: File) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &File {
        &self.files[id.0 as usize]
    }

    pub fn find(&self, path: &str) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    NotFound,
    /// A symlink (or a path through one) that resolves outside the workspace.
    OutsideWorkspace(PathBuf),
    NotAFile,
    TooLarge(u64),
    /// Not UTF-8: the byte offset of the first invalid sequence.
    NotUtf8(usize),
    /// UTF-8, but with a NUL byte (at this offset): a binary file, not text.
    NulByte(usize),
    Io(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file"),
            ReadError::OutsideWorkspace(target) => write!(
                f,
                "it is a link to {}, outside the workspace; prov reads only files inside it",
                target.display()
            ),
            ReadError::NotAFile => f.write_str("it is not a regular file"),
            ReadError::TooLarge(n) => f.write_str(&too_large(*n)),
            ReadError::NotUtf8(at) => write!(
                f,
                "it is not UTF-8 text: invalid byte sequence at byte offset {at}"
            ),
            ReadError::NulByte(at) => write!(
                f,
                "it contains a NUL byte at byte offset {at}: it looks like a binary file, not text"
            ),
            ReadError::Io(e) => f.write_str(e),
        }
    }
}

/// "it is 257.0 MiB (269484032 bytes), more than the 256 MiB a document may have"
pub fn too_large(n: u64) -> String {
    format!(
        "it is {:.1} MiB ({n} bytes), more than the {} MiB a document may have",
        n as f64 / (1024.0 * 1024.0),
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// Read a file inside `root` as bytes, refusing links that leave it and oversized files.
pub fn read_bytes(root: &Path, path: &Path) -> Result<Vec<u8>, ReadError> {
    read(root, path, has_symlinked_parent(root, path))
}

/// The directories on the way from the workspace root to the files a run reads, each looked
/// at once: are any of them a symbolic link? A check reads thousands of snapshots from one
/// directory, and looking at it again for each (an `lstat` of every directory on the way)
/// was a twentieth of the system calls of a check of 4,000 small snapshots. For one run: a
/// directory swapped for a link while prov runs is a race it does not defend against, as
/// between any look at a path and the open that follows.
#[derive(Debug, Default)]
pub struct Parents {
    known: std::sync::Mutex<std::collections::HashMap<PathBuf, bool>>,
}

impl Parents {
    /// Is a directory between `root` and `path` a symbolic link?
    fn symlinked(&self, root: &Path, path: &Path) -> bool {
        let Some(dir) = path.parent() else {
            return has_symlinked_parent(root, path);
        };
        // A poisoned lock only means a reader panicked: look again rather than trust it.
        let known = self.known.lock().ok().and_then(|k| k.get(dir).copied());
        if let Some(known) = known {
            return known;
        }
        let linked = has_symlinked_parent(root, path);
        if let Ok(mut known) = self.known.lock() {
            known.insert(dir.to_path_buf(), linked);
        }
        linked
    }
}

/// [`read_bytes`], with the directories on the way looked at once per run (see [`Parents`]).
pub fn read_bytes_with(root: &Path, path: &Path, parents: &Parents) -> Result<Vec<u8>, ReadError> {
    read(root, path, parents.symlinked(root, path))
}

/// Open `path` when it is not a symbolic link itself (`O_NOFOLLOW`): in one system call, what
/// an `lstat` and an `open` found before. `None` when it could not be opened so (a link, or any
/// other error): the caller takes the long way, which tells why.
#[cfg(unix)]
fn open_no_link(path: &Path) -> Option<Result<fs::File, ReadError>> {
    use std::os::unix::fs::OpenOptionsExt;
    match fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(f) => Some(Ok(f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(Err(ReadError::NotFound)),
        Err(_) => None,
    }
}

#[cfg(not(unix))]
fn open_no_link(_: &Path) -> Option<Result<fs::File, ReadError>> {
    None
}

/// Read `path`, whose directories on the way from `root` are (`parent_linked`) or are not
/// symbolic links.
fn read(root: &Path, path: &Path, parent_linked: bool) -> Result<Vec<u8>, ReadError> {
    // Neither the file nor a directory on the way is a link: it is inside the workspace.
    let fast = if parent_linked {
        None
    } else {
        open_no_link(path)
    };
    let file = match fast {
        Some(opened) => opened?,
        None => open_checked(root, path, parent_linked)?,
    };
    read_open(file)
}

/// Open `path`, following a link only when it leads to a file inside `root`.
fn open_checked(root: &Path, path: &Path, parent_linked: bool) -> Result<fs::File, ReadError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::NotFound),
        Err(e) => return Err(ReadError::Io(e.to_string())),
    };
    if meta.file_type().is_symlink() || parent_linked {
        let target = fs::canonicalize(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            _ => ReadError::Io(e.to_string()),
        })?;
        let root = fs::canonicalize(root).map_err(|e| ReadError::Io(e.to_string()))?;
        if !target.starts_with(&root) {
            return Err(ReadError::OutsideWorkspace(target));
        }
    }
    fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e.to_string()),
    })
}

/// Read an opened file: a regular file of at most [`MAX_FILE_BYTES`].
fn read_open(mut file: fs::File) -> Result<Vec<u8>, ReadError> {
    let meta = file.metadata().map_err(|e| ReadError::Io(e.to_string()))?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // Read one byte past the limit so a file that grew after stat is still refused.
    (&mut file)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Read a file inside `root` as UTF-8 text.
pub fn read_text(root: &Path, path: &Path) -> Result<String, ReadError> {
    let bytes = read_bytes(root, path)?;
    into_utf8(bytes)
}

/// Bytes to a String, or the offset of the first invalid sequence.
///
/// Every snapshot and claim file passes through here; SIMD validation (simdutf8) is five times
/// faster than `String::from_utf8` on accented prose, where it was the largest single cost of
/// a one-file check.
pub fn into_utf8(bytes: Vec<u8>) -> Result<String, ReadError> {
    match simdutf8::compat::from_utf8(&bytes) {
        // SAFETY: simdutf8 has just validated these exact bytes as UTF-8.
        Ok(_) => Ok(unsafe { String::from_utf8_unchecked(bytes) }),
        Err(e) => Err(ReadError::NotUtf8(e.valid_up_to())),
    }
}

/// Does any directory between `root` and `path` be a symlink?
fn has_symlinked_parent(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut cur = root.to_path_buf();
    let comps: Vec<_> = rel.components().collect();
    for c in comps.iter().take(comps.len().saturating_sub(1)) {
        cur.push(c);
        if fs::symlink_metadata(&cur).is_ok_and(|m| m.file_type().is_symlink()) {
            return true;
        }
    }
    false
}

/// The first component of `rel` (a workspace-relative path with `/` separators), from the top,
/// that is a symbolic link, as a relative path: a writer never writes through one, since it
/// could lead anywhere.
pub fn symlink_on_the_way(root: &Path, rel: &str) -> Option<String> {
    let mut at = root.to_path_buf();
    let mut seen = Vec::new();
    for c in rel.split('/').filter(|c| !c.is_empty()) {
        at.push(c);
        seen.push(c);
        if fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(seen.join("/"));
        }
    }
    None
}

/// A workspace-relative path with `/` separators, for messages and JSON.
pub fn rel_display(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// Resolve a user-given path against the current directory and check it lies inside `root`,
/// without following symlinks (lexically). Returns the absolute path.
pub fn within(root: &Path, cwd: &Path, given: &Path) -> Option<PathBuf> {
    let abs = if given.is_absolute() {
        given.to_path_buf()
    } else {
        cwd.join(given)
    };
    let norm = normalize(&abs);
    norm.starts_with(normalize(root)).then_some(norm)
}

/// Lexical normalisation: drop `.`, resolve `..` against earlier components.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Text` is always the value it was read as; a slice of the file when the token is the
    /// value between one-byte delimiters, a copy otherwise.
    #[test]
    fn text_is_the_value_a_slice_when_it_can_be() {
        let file = Arc::new(
            "a = \"plain ’quote’\"\nb = 'literal'\nc = \"esc\\\"aped\"\nd = \"\"\"multi\"\"\"\ne = \"\"\n"
                .to_string(),
        );
        let token = |key: &str| {
            let line = file.lines().find(|l| l.starts_with(key)).expect("the key");
            let start = line.as_ptr() as usize - file.as_ptr() as usize + 4;
            start..start + line.len() - 4
        };
        for (key, value, sliced) in [
            ("a", "plain ’quote’", true),
            ("b", "literal", true),
            ("c", "esc\"aped", false),
            ("d", "multi", false),
            ("e", "", true),
        ] {
            let t = Text::read(&file, &token(key), value);
            assert_eq!(&*t, value, "{key}");
            assert_eq!(Arc::ptr_eq(&t.text, &file), sliced, "{key}");
        }
        // A span that is not the token (too short, out of bounds, inside a character) is a
        // copy, never a wrong slice.
        for span in [0..1, 0..0, 5..500, Range { start: 10, end: 9 }] {
            let t = Text::read(&file, &span, "plain");
            assert_eq!(&*t, "plain");
        }
        let t = Text::read(&file, &(14..19), "q");
        assert_eq!(&*t, "q");
        assert_eq!(Text::from("owned".to_string()).as_str(), "owned");
        assert_eq!(Text::from(String::new()).as_str(), "");
    }

    #[test]
    fn line_col_counts_code_points() {
        let f = File::new("a".into(), "ab\nçé = 1\n\nx".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // "çé" is 4 bytes; the space after it is column 3.
        assert_eq!(f.line_col(3 + 4), (2, 3));
        assert_eq!(f.line_col(f.text.len()), (4, 2));
        for offset in 0..=f.text.len() {
            assert_eq!(f.line(offset), f.line_col(offset).0);
        }
        assert_eq!(f.line_start(2), 3);
    }

    /// The definition the sparse index keeps: an entry per line start.
    fn dense(text: &str) -> Vec<usize> {
        std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect()
    }

    fn holds_to_dense(text: &str) {
        let f = File::new("a".into(), text.to_string());
        let starts = dense(text);
        for offset in 0..=text.len() + 2 {
            let clamped = offset.min(text.len());
            let line = starts.partition_point(|&s| s <= clamped);
            assert_eq!(f.line(offset), line, "line of {offset}");
            let start = starts[line - 1];
            let col = text
                .get(start..clamped)
                .map_or(clamped - start, |s| s.chars().count());
            assert_eq!(f.line_col(offset), (line, col + 1), "line_col of {offset}");
        }
        for line in 0..=starts.len() + 2 {
            let want = starts
                .get(line.saturating_sub(1))
                .copied()
                .unwrap_or(text.len());
            assert_eq!(f.line_start(line), want, "start of line {line}");
        }
    }

    /// Lines of every length around the block size, newlines at the blocks' edges, an empty
    /// text, one without newlines and one of newlines alone.
    #[test]
    fn the_sparse_line_index_finds_what_an_entry_per_line_does() {
        holds_to_dense("");
        holds_to_dense("\n");
        holds_to_dense(&"\n".repeat(3 * LINE_BLOCK + 1));
        holds_to_dense(&"x".repeat(3 * LINE_BLOCK));
        for len in [
            1,
            2,
            LINE_BLOCK - 1,
            LINE_BLOCK,
            LINE_BLOCK + 1,
            2 * LINE_BLOCK + 7,
        ] {
            let line = format!("{}\n", "é".repeat(len / 2) + &"a".repeat(len % 2));
            holds_to_dense(&line.repeat(5));
            holds_to_dense(&format!("{}tail", line.repeat(3)));
        }
    }

    proptest::proptest! {
        #[test]
        fn the_sparse_line_index_holds_to_its_definition(
            lines in proptest::collection::vec("[aé]{0,300}", 0..12),
            end in proptest::bool::ANY,
        ) {
            let mut text = lines.join("\n");
            if end {
                text.push('\n');
            }
            holds_to_dense(&text);
        }
    }

    #[test]
    fn utf8_error_names_offset() {
        assert_eq!(
            into_utf8(b"caf\xe9 au lait".to_vec()),
            Err(ReadError::NotUtf8(3))
        );
    }

    #[test]
    fn within_refuses_escapes() {
        let root = Path::new("/ws");
        assert!(within(root, Path::new("/ws"), Path::new("claims/a.toml")).is_some());
        assert!(within(root, Path::new("/ws/claims"), Path::new("../../etc/passwd")).is_none());
        assert!(within(root, Path::new("/ws/claims"), Path::new("../sources.toml")).is_some());
    }

    /// Every way a workspace file can be reached, read with the directories looked at once per
    /// run and without: the same bytes or the same refusal, each time (the second read of a
    /// file through `Parents` uses what the first found).
    #[cfg(unix)]
    #[test]
    fn reading_with_parents_refuses_and_reads_what_reading_alone_does() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        std::fs::create_dir(outside.path().join("dir")).unwrap();
        std::fs::write(outside.path().join("dir/a.txt"), "outside a").unwrap();
        let ws = tempfile::tempdir().unwrap();
        let root = ws.path();
        let dir = |d: &str| std::fs::create_dir_all(root.join(d)).unwrap();
        dir("snapshots");
        dir("other/deep");
        std::fs::write(root.join("snapshots/plain.txt"), "plain").unwrap();
        std::fs::write(root.join("other/deep/a.txt"), "inside a").unwrap();
        symlink(
            outside.path().join("secret.txt"),
            root.join("snapshots/out.txt"),
        )
        .unwrap();
        symlink(
            root.join("snapshots/plain.txt"),
            root.join("snapshots/in.txt"),
        )
        .unwrap();
        symlink(
            root.join("snapshots/gone.txt"),
            root.join("snapshots/dangling.txt"),
        )
        .unwrap();
        dir("snapshots/a-dir.txt");
        symlink(outside.path().join("dir"), root.join("linked-out")).unwrap();
        symlink(root.join("other/deep"), root.join("linked-in")).unwrap();
        let cases: [(&str, Result<&[u8], ReadError>); 9] = [
            ("snapshots/plain.txt", Ok(b"plain")),
            ("snapshots/in.txt", Ok(b"plain")),
            ("linked-in/a.txt", Ok(b"inside a")),
            ("other/deep/a.txt", Ok(b"inside a")),
            ("snapshots/missing.txt", Err(ReadError::NotFound)),
            ("snapshots/dangling.txt", Err(ReadError::NotFound)),
            ("snapshots/a-dir.txt", Err(ReadError::NotAFile)),
            (
                "snapshots/out.txt",
                Err(ReadError::OutsideWorkspace(PathBuf::new())),
            ),
            (
                "linked-out/a.txt",
                Err(ReadError::OutsideWorkspace(PathBuf::new())),
            ),
        ];
        let parents = Parents::default();
        for round in 0..2 {
            for (rel, want) in &cases {
                let path = root.join(rel);
                let alone = read_bytes(root, &path);
                let with = read_bytes_with(root, &path, &parents);
                assert_eq!(alone, with, "{rel}, round {round}");
                match (want, &with) {
                    (Ok(bytes), Ok(got)) => assert_eq!(bytes, got, "{rel}"),
                    (Err(ReadError::OutsideWorkspace(_)), Err(ReadError::OutsideWorkspace(to))) => {
                        assert!(
                            to.starts_with(outside.path().canonicalize().unwrap()),
                            "{rel}"
                        )
                    }
                    (Err(w), Err(g)) => assert_eq!(w, g, "{rel}"),
                    _ => panic!("{rel}: {with:?}, expected {want:?}"),
                }
            }
        }
    }
}
