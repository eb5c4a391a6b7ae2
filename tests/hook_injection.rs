//! `prov hook install` in a hostile repository (issue 13, item 5): the workspace's path is
//! data, never shell code, and staged names reach `prov check` whole, whatever bytes they hold.
//! Real git, real commits, the built prov on PATH; git's global and system configuration are
//! ignored so that no hooksPath, signing or alias of the machine interferes.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{Tree, differences, git, tiny, tree};

/// Directory names that run `touch PWNED` if a hook pastes them into shell code unquoted or
/// badly quoted: a single-quote breakout, a command substitution, backquotes, a line break
/// that ends a comment or a line, and glob characters.
const HOSTILE: &str = "x';touch PWNED;'y $(touch PWNED) `touch PWNED`\n touch PWNED; [*?]\\ café";

fn prov(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prov"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Every path under `dir` named PWNED.
fn pwned(dir: &Path) -> Vec<String> {
    tree(dir)
        .keys()
        .filter(|k| k.rsplit('/').next() == Some("PWNED"))
        .cloned()
        .collect()
}

/// A claim file citing `wire-fr` with the quote `quote`.
fn claim(id: &str, quote: &str) -> String {
    format!(
        "[[claim]]\nid = \"{id}\"\nfact = \"The victim was 66.\"\n\n[[claim.cite]]\nsource = \"wire-fr\"\nquote = \"{quote}\"\nspan = [116, 140]\n"
    )
}

#[test]
fn a_hostile_workspace_path_is_never_run_and_staged_names_reach_prov_whole() {
    let outer = tempfile::tempdir().unwrap();
    // A sentinel beside the repository: nothing outside it may change.
    fs::write(outer.path().join("sentinel.txt"), "keep").unwrap();
    // The repository's own directory is hostile too, and the workspace is a hostile
    // subdirectory of it.
    let repo_dir = outer.path().join(HOSTILE);
    let ws = repo_dir.join(HOSTILE);
    tiny(&ws);
    // Decoys the glob must not reach: a sibling that the unescaped `[*?]` pattern would match.
    let decoy = repo_dir.join(HOSTILE.replace("[*?]", "X"));
    fs::create_dir_all(decoy.join("claims")).unwrap();
    fs::write(decoy.join("claims/decoy.toml"), "not toml [[[").unwrap();
    assert!(git(&repo_dir, &["init", "-q"]).0);

    let (code, out) = prov(&ws, &["hook", "install"]);
    assert_eq!(code, 0, "{out}");

    let outside_before: Tree = tree(outer.path())
        .into_iter()
        .filter(|(k, _)| !k.starts_with(HOSTILE))
        .collect();

    // Claim files whose names git quotes by default (core.quotePath): non-ASCII, a space, a
    // quote. (A line break reaches prov whole too, which refuses it: see below.)
    let names = ["claims/café.toml", "claims/a b.toml", "claims/it's.toml"];
    for (i, name) in names.iter().enumerate() {
        fs::write(
            ws.join(name),
            claim(&format!("victim-age-{i}"), "La victime avait 66 ans."),
        )
        .unwrap();
    }
    assert!(git(&repo_dir, &["add", "-A"]).0);
    let (ok, out) = git(&repo_dir, &["commit", "-q", "-m", "workspace"]);
    assert!(
        ok,
        "a clean workspace commits (every staged name reached prov whole):\n{out}"
    );
    assert!(
        pwned(outer.path()).is_empty(),
        "a command ran: {:?}",
        pwned(outer.path())
    );
    let hook = fs::read(repo_dir.join(".git/hooks/pre-commit")).unwrap();
    let hook = String::from_utf8_lossy(&hook);
    // The path appears only inside single quotes.
    assert!(
        hook.contains("ws='./x'\\'';touch PWNED;'\\''y $(touch PWNED)"),
        "{hook}"
    );
    let sh = Command::new("sh")
        .arg("-n")
        .arg(repo_dir.join(".git/hooks/pre-commit"))
        .status();
    assert!(sh.unwrap().success(), "the hook is valid sh:\n{hook}");

    // Each hostile name is checked: a broken quote in it refuses the commit, naming it.
    for (i, name) in names.iter().enumerate() {
        fs::write(
            ws.join(name),
            claim(&format!("victim-age-{i}"), "La victime avait 65 ans."),
        )
        .unwrap();
        assert!(git(&repo_dir, &["add", "-A"]).0);
        let (ok, out) = git(&repo_dir, &["commit", "-q", "-m", "broken"]);
        assert!(!ok, "{name:?}: the commit must be refused:\n{out}");
        assert!(out.contains("error[changed]"), "{name:?}: prov ran:\n{out}");
        fs::write(
            ws.join(name),
            claim(&format!("victim-age-{i}"), "La victime avait 66 ans."),
        )
        .unwrap();
        assert!(git(&repo_dir, &["add", "-A"]).0);
    }

    // A name with a line break reaches prov whole, which refuses it by name (escaped): a line
    // break in a path could forge a line of prov's output.
    let newline = "claims/new\nline.toml";
    fs::write(
        ws.join(newline),
        claim("victim-age-nl", "La victime avait 66 ans."),
    )
    .unwrap();
    assert!(git(&repo_dir, &["add", "-A"]).0);
    let (ok, out) = git(&repo_dir, &["commit", "-q", "-m", "newline"]);
    assert!(!ok, "the commit must be refused:\n{out}");
    assert!(
        out.contains("claims/new\\u{a}line.toml has LINE FEED (U+000A) in its name"),
        "{out}"
    );
    fs::remove_file(ws.join(newline)).unwrap();
    assert!(git(&repo_dir, &["add", "-A"]).0);

    // A staged snapshot checks the whole workspace: a broken claim elsewhere (committed
    // without the hook) refuses it.
    fs::write(
        ws.join("claims/facts.toml"),
        claim("victim-age", "La victime avait 65 ans."),
    )
    .unwrap();
    assert!(git(&ws, &["add", "claims/facts.toml"]).0);
    assert!(
        git(
            &ws,
            &["commit", "-q", "--no-verify", "-m", "broken, unchecked"]
        )
        .0
    );
    fs::write(ws.join("snapshots/extra.txt"), "x").unwrap();
    assert!(git(&ws, &["add", "snapshots"]).0);
    let (ok, out) = git(&ws, &["commit", "-q", "-m", "snapshot"]);
    assert!(!ok, "the whole workspace was checked:\n{out}");
    assert!(out.contains("error[changed]"), "{out}");

    assert!(
        pwned(outer.path()).is_empty(),
        "a command ran: {:?}",
        pwned(outer.path())
    );
    let outside_after: Tree = tree(outer.path())
        .into_iter()
        .filter(|(k, _)| !k.starts_with(HOSTILE))
        .collect();
    assert!(
        outside_before == outside_after,
        "outside the repository: {:?}",
        differences(&outside_before, &outside_after)
    );
}

#[test]
fn the_hook_of_a_workspace_at_the_repository_root_checks_names_git_would_quote() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    tiny(ws);
    assert!(git(ws, &["init", "-q"]).0);
    let (code, out) = prov(ws, &["hook", "install"]);
    assert_eq!(code, 0, "{out}");
    assert!(git(ws, &["add", "-A"]).0);
    assert!(git(ws, &["commit", "-q", "-m", "workspace"]).0);
    // claims/café.toml: under core.quotePath git lists it as "claims/caf\303\251.toml".
    fs::write(
        ws.join("claims/café.toml"),
        claim("cafe", "La victime avait 65 ans."),
    )
    .unwrap();
    assert!(git(ws, &["add", "-A"]).0);
    let (ok, out) = git(ws, &["commit", "-q", "-m", "broken"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("error[changed]") && out.contains("café.toml"),
        "{out}"
    );
    fs::write(
        ws.join("claims/café.toml"),
        claim("cafe", "La victime avait 66 ans."),
    )
    .unwrap();
    assert!(git(ws, &["add", "-A"]).0);
    let (ok, out) = git(ws, &["commit", "-q", "-m", "fixed"]);
    assert!(ok, "{out}");
    // A file under claims/ that is not a claim file is not handed to prov.
    fs::write(ws.join("claims/README.md"), "notes").unwrap();
    assert!(git(ws, &["add", "-A"]).0);
    let (ok, out) = git(ws, &["commit", "-q", "-m", "readme"]);
    assert!(ok, "{out}");
}

/// The hook checks what the commit will hold (the index), not the working tree (issue 17).
#[test]
fn the_hook_checks_what_is_staged_not_the_working_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    let ws = repo.join("desk");
    tiny(&ws);
    assert!(git(repo, &["init", "-q"]).0);
    let (code, out) = prov(&ws, &["hook", "install"]);
    assert_eq!(code, 0, "{out}");
    assert!(git(repo, &["add", "-A"]).0);
    assert!(git(repo, &["commit", "-q", "-m", "workspace"]).0);
    let good = claim("victim-age", "La victime avait 66 ans.");
    let typo = claim("victim-age", "La victime avait 65 ans.");

    // A typo is staged, then fixed in the working tree only: the commit would hold the typo.
    fs::write(ws.join("claims/facts.toml"), &typo).unwrap();
    assert!(git(repo, &["add", "desk/claims/facts.toml"]).0);
    fs::write(ws.join("claims/facts.toml"), &good).unwrap();
    let (ok, out) = git(repo, &["commit", "-q", "-m", "staged typo"]);
    assert!(!ok, "the staged typo must be refused:\n{out}");
    assert!(
        out.contains("error[changed]") && out.contains("65"),
        "{out}"
    );

    // The other way round: the fix is staged, the working tree has a typo again.
    assert!(git(repo, &["add", "desk/claims/facts.toml"]).0);
    fs::write(ws.join("claims/facts.toml"), &typo).unwrap();
    let (ok, out) = git(repo, &["commit", "-q", "-m", "staged fix"]);
    assert!(ok, "what is staged is right:\n{out}");

    // A snapshot edited in the working tree only does not block a commit of claims; one that
    // is staged does, and so does a snapshot left out of the commit (never added).
    fs::write(ws.join("claims/facts.toml"), format!("# reviewed\n{good}")).unwrap();
    let mut bytes = fs::read(ws.join("snapshots/wire-fr.txt")).unwrap();
    bytes.push(b'\n');
    fs::write(ws.join("snapshots/wire-fr.txt"), &bytes).unwrap();
    assert!(git(repo, &["add", "desk/claims/facts.toml"]).0);
    let (ok, out) = git(repo, &["commit", "-q", "-m", "good quote"]);
    assert!(ok, "the staged snapshot is intact:\n{out}");
    assert!(git(repo, &["add", "desk/snapshots/wire-fr.txt"]).0);
    let (ok, out) = git(repo, &["commit", "-q", "-m", "edited snapshot"]);
    assert!(!ok, "{out}");
    assert!(out.contains("error[snapshot-modified]"), "{out}");
    assert!(git(repo, &["reset", "-q", "desk/snapshots/wire-fr.txt"]).0);
    fs::write(
        ws.join("sources.toml"),
        fs::read_to_string(ws.join("sources.toml")).unwrap()
            + "\n[sources.new-doc]\noutlet = \"x.example\"\ncaptured = 2026-11-22T10:00:00Z\nsha256 = \"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\"\n",
    )
    .unwrap();
    fs::write(ws.join("snapshots/new-doc.txt"), "x").unwrap();
    assert!(git(repo, &["add", "desk/sources.toml"]).0);
    let (ok, out) = git(
        repo,
        &["commit", "-q", "-m", "new source, snapshot not added"],
    );
    assert!(!ok, "{out}");
    assert!(out.contains("error[snapshot-missing]"), "{out}");

    // `git commit -a` checks the index git makes for it: the working tree's version.
    assert!(git(repo, &["checkout", "--", "desk/snapshots/wire-fr.txt"]).0);
    fs::write(ws.join("claims/facts.toml"), &typo).unwrap();
    assert!(git(repo, &["add", "desk/snapshots/new-doc.txt"]).0);
    let (ok, out) = git(repo, &["commit", "-q", "-a", "-m", "all"]);
    assert!(!ok, "{out}");
    assert!(out.contains("error[changed]"), "{out}");
}
