//! Which workspace a document belongs to, and what it is there: URIs to paths and back, the
//! nearest directory upwards holding sources.toml, and the file's role in it.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

use crate::files;
use crate::workspace::{CLAIMS_DIR, SOURCES_FILE};

/// What a document is to prov.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A claim file of the workspace at `root` (`claims/**/*.toml`), by relative path.
    Claims { root: PathBuf, rel: String },
    /// The workspace's sources.toml.
    Sources { root: PathBuf },
    /// A TOML file inside a workspace that prov does not read.
    Unread { root: PathBuf, rel: String },
    /// Not in any workspace (no sources.toml above it), or not a file at all.
    Outside,
    /// Any other file in a workspace (a snapshot, a README): no diagnostics, no message.
    Ignored,
}

impl Role {
    pub fn root(&self) -> Option<&Path> {
        match self {
            Role::Claims { root, .. } | Role::Sources { root } | Role::Unread { root, .. } => {
                Some(root)
            }
            Role::Outside | Role::Ignored => None,
        }
    }

    /// The workspace-relative path of a file prov reads.
    pub fn rel(&self) -> Option<&str> {
        match self {
            Role::Claims { rel, .. } => Some(rel),
            Role::Sources { .. } => Some(SOURCES_FILE),
            _ => None,
        }
    }
}

/// The path of a `file:` URI.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let url = url::Url::parse(uri.as_str()).ok()?;
    if url.scheme() != "file" {
        return None;
    }
    url.to_file_path().ok().map(|p| files::normalize(&p))
}

/// The `file:` URI of a path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    Uri::from_str(url.as_str()).ok()
}

/// The workspace holding `path`: the nearest directory upwards with a sources.toml.
pub fn root_of(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|dir| dir.join(SOURCES_FILE).is_file())
        .map(Path::to_path_buf)
}

/// The role of the document at `uri`.
pub fn role(uri: &Uri) -> Role {
    let Some(path) = path_of(uri) else {
        return Role::Outside;
    };
    let toml = path.extension().is_some_and(|e| e == "toml");
    let Some(root) = root_of(&path) else {
        return if toml { Role::Outside } else { Role::Ignored };
    };
    let rel = files::rel_display(&root, &path);
    if rel == SOURCES_FILE {
        return Role::Sources { root };
    }
    if !toml {
        return Role::Ignored;
    }
    let mut parts = rel.split('/');
    let in_claims = parts.next() == Some(CLAIMS_DIR);
    // prov skips files and directories whose names start with a dot.
    let hidden = rel.split('/').any(|p| p.starts_with('.'));
    if in_claims && !hidden && rel.split('/').count() > 1 {
        Role::Claims { root, rel }
    } else {
        Role::Unread { root, rel }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_the_workspace_layout() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join("sources.toml"), "").unwrap();
        std::fs::create_dir_all(root.join("claims/sub")).unwrap();
        let uri = |rel: &str| uri_of(&root.join(rel)).unwrap();
        assert_eq!(
            role(&uri("claims/sub/a b.toml")),
            Role::Claims {
                root: root.clone(),
                rel: "claims/sub/a b.toml".into()
            }
        );
        assert_eq!(
            role(&uri("sources.toml")),
            Role::Sources { root: root.clone() }
        );
        assert_eq!(
            role(&uri("claims/.draft.toml")),
            Role::Unread {
                root: root.clone(),
                rel: "claims/.draft.toml".into()
            }
        );
        assert_eq!(
            role(&uri("Cargo.toml")),
            Role::Unread {
                root: root.clone(),
                rel: "Cargo.toml".into()
            }
        );
        assert_eq!(role(&uri("snapshots/a.txt")), Role::Ignored);
        let outside = tempfile::tempdir().unwrap();
        let u = uri_of(&outside.path().join("x.toml")).unwrap();
        assert_eq!(role(&u), Role::Outside);
        assert_eq!(
            role(&Uri::from_str("untitled:Untitled-1").unwrap()),
            Role::Outside
        );
        // Percent-encoded names round-trip.
        assert_eq!(
            path_of(&uri("claims/sub/a b.toml")).unwrap(),
            root.join("claims/sub/a b.toml")
        );
    }
}
