//! The gates: SARIF validated against the SARIF 2.1.0 schema and GitHub's required fields,
//! GitHub workflow-command escaping end to end, `--partition` (the shards together find what
//! a whole run finds), and the plain git pre-commit hook in a real repository.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::{example, git, repo, tiny};

/// A copy of the example workspace with findings of every level: a moved span, a changed
/// quote, a typography quote and a missing one.
fn broken_example(dir: &Path) {
    example(dir);
    let p = dir.join("claims/ashraf-raid.toml");
    let t = fs::read_to_string(&p)
        .unwrap()
        .replacen("span = [235, 339]", "span = [230, 334]", 1)
        .replacen("devenue violente", "devenue très violente", 1);
    fs::write(&p, t).unwrap();
    let p = dir.join("claims/cyberattack.toml");
    let t = fs::read_to_string(&p).unwrap().replacen("l’", "l'", 1);
    fs::write(&p, t).unwrap();
}

/// The vendored SARIF 2.1.0 schema. Its `run.language` pattern, as published, is not a valid
/// regular expression (a stray `]`); it is repaired here, in memory, so the schema compiles.
fn sarif_schema() -> Value {
    let text = fs::read_to_string(repo().join("tests/data/sarif/sarif-2.1.0-rtm.5.json")).unwrap();
    let broken = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(
        text.contains(broken),
        "the schema changed: revisit this repair"
    );
    serde_json::from_str(&text.replace(broken, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#)).unwrap()
}

/// The log validates against the SARIF 2.1.0 schema, formats (`uri`, `uri-reference`) checked.
fn assert_valid_sarif(log: &Value) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&sarif_schema())
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}");
}

fn prov(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prov"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sarif_is_valid_sarif_2_1_0_with_what_code_scanning_requires() {
    let tmp = tempfile::tempdir().unwrap();
    broken_example(tmp.path());
    let (code, stdout, _) = prov(tmp.path(), &["check", "--format", "sarif"]);
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert_valid_sarif(&log);

    // What GitHub code scanning requires of an upload.
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "prov");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: BTreeSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), rules.len(), "rule ids are unique");
    for r in rules {
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 4);
    let mut fingerprints = BTreeSet::new();
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at the rule");
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.ends_with(".toml"), "{uri}");
        assert!(tmp.path().join(uri).exists(), "{uri} is a real file");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        let fp = r["partialFingerprints"]["provFinding/v1"].as_str().unwrap();
        assert!(
            fingerprints.insert(fp.to_string()),
            "fingerprints are unique: {fp}"
        );
        // GitHub's own fingerprint, as its upload step would compute it.
        let line_hash = r["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        assert!(
            line_hash.contains(':') && line_hash.len() > 3,
            "{line_hash}"
        );
        assert_ne!(rules[index]["name"], rules[index]["id"], "SARIF1001");
    }
    for level in ["error", "warning"] {
        assert!(
            results.iter().any(|r| r["level"] == level),
            "a {level} result"
        );
    }

    // Fingerprints follow the finding, not its line: insert a line above, same fingerprints.
    let p = tmp.path().join("claims/ashraf-raid.toml");
    let t = fs::read_to_string(&p).unwrap();
    fs::write(&p, format!("# a new comment line\n{t}")).unwrap();
    let (_, stdout, _) = prov(tmp.path(), &["check", "--format", "sarif"]);
    let log2: Value = serde_json::from_str(&stdout).unwrap();
    let fps2: BTreeSet<String> = log2["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["provFinding/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(fingerprints, fps2);
    // So do GitHub's line hashes: they hash the line's content, not its number.
    let line_hashes = |log: &Value| -> Vec<String> {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(line_hashes(&log), line_hashes(&log2));
}

/// Claim files with awkward names, a finding on a line with emoji and accents, and a claim
/// file that cannot be read: URIs are percent-encoded relative references, columns are UTF-16
/// code units, and the unreadable file is the result's artifact, at line 1.
#[test]
fn sarif_names_columns_and_unreadable_files_are_what_github_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("news room");
    tiny(&ws);
    fs::rename(
        ws.join("claims/facts.toml"),
        ws.join("claims/my claims.toml"),
    )
    .unwrap();
    fs::rename(
        ws.join("claims/embassy.toml"),
        ws.join("claims/we,ird:na%me.toml"),
    )
    .unwrap();
    let line = "cite = [{ source = \"wire-fr\", quote = \"😀 é\", span = [0, 3] }]";
    fs::write(
        ws.join("claims/émoji.toml"),
        format!("[[claim]]\nid = \"emoji\"\nfact = \"x\"\n{line}\n"),
    )
    .unwrap();
    let (code, stdout, err) = prov(
        tmp.path(),
        &["-C", "news room", "check", "--format", "sarif"],
    );
    assert_eq!(code, 1, "{err}");
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let results = run["results"].as_array().unwrap();
    let uris: BTreeSet<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains("news%20room/claims/my%20claims.toml"),
        "{uris:?}"
    );
    assert!(
        uris.contains("news%20room/claims/we%2Cird%3Ana%25me.toml"),
        "{uris:?}"
    );
    assert!(
        uris.contains("news%20room/claims/%C3%A9moji.toml"),
        "{uris:?}"
    );
    // Each finding on the line with the emoji marks a whole token when its columns are read
    // as UTF-16 code units (as GitHub reads them): code points would cut it.
    let units: Vec<u16> = line.encode_utf16().collect();
    let mut marked = Vec::new();
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"];
        if loc["artifactLocation"]["uri"] != "news%20room/claims/%C3%A9moji.toml"
            || loc["region"]["startLine"] != 4
        {
            continue;
        }
        let (s, e) = (
            loc["region"]["startColumn"].as_u64().unwrap() as usize,
            loc["region"]["endColumn"].as_u64().unwrap() as usize,
        );
        marked.push(String::from_utf16(&units[s - 1..e - 1]).unwrap());
    }
    assert!(!marked.is_empty());
    for m in &marked {
        assert!(
            ["\"😀 é\"", "[0, 3]", "\"wire-fr\""].contains(&m.as_str()),
            "{marked:?}"
        );
    }

    // A claim file that is not UTF-8: the finding is located in it, at line 1.
    fs::write(ws.join("claims/bad.toml"), b"[[claim]]\nid = \"x\xff\"\n").unwrap();
    let (code, stdout, _) = prov(&ws, &["check", "--format", "sarif"]);
    assert_eq!(code, 2);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert_valid_sarif(&log);
    let r = &log["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "file-unreadable");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "claims/bad.toml");
    assert_eq!(loc["region"]["startLine"], 1);
}

/// `PROV_DOCS_URL` becomes the driver's `informationUri`; a value that is not an http(s) URL
/// is refused.
#[test]
fn sarif_information_uri_comes_from_prov_docs_url() {
    let tmp = tempfile::tempdir().unwrap();
    tiny(tmp.path());
    let run = |url: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_prov"));
        cmd.args(["check", "--format", "sarif"])
            .current_dir(tmp.path())
            .env_remove("PROV_DOCS_URL");
        if let Some(u) = url {
            cmd.env("PROV_DOCS_URL", u);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (_, stdout, _) = run(None);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        log["runs"][0]["tool"]["driver"]
            .get("informationUri")
            .is_none()
    );
    let (_, stdout, _) = run(Some("https://example.org/prov/v0.1.0/docs"));
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["informationUri"],
        "https://example.org/prov/v0.1.0/docs/codes.md"
    );
    let (code, stdout, stderr) = run(Some("docs/"));
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("PROV_DOCS_URL"), "{stderr}");
}

/// `--format github`: errors first; past GitHub's 10 annotations per level, a notice says how
/// many are not shown and every finding is appended to the job summary, which is never
/// truncated and never written through a symbolic link.
#[test]
fn github_annotations_put_errors_first_and_overflow_into_the_job_summary() {
    let tmp = tempfile::tempdir().unwrap();
    broken_example(tmp.path());
    let summary = tmp.path().join("summary.md");
    fs::write(&summary, "# an earlier step\n").unwrap();
    let run = |summary: Option<&Path>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_prov"));
        cmd.args(["check", "--format", "github"])
            .current_dir(tmp.path())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY");
        if let Some(s) = summary {
            cmd.env("GITHUB_STEP_SUMMARY", s);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, stdout) = run(Some(&summary));
    assert_eq!(code, 1);
    let commands: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    let levels: Vec<&str> = commands
        .iter()
        .map(|l| l[2..].split([' ', ':']).next().unwrap())
        .collect();
    let first_warning = levels.iter().position(|l| *l == "warning").unwrap();
    assert!(
        levels[..first_warning].iter().all(|l| *l == "error"),
        "errors first: {levels:?}"
    );
    assert!(levels[..first_warning].len() >= 4, "{levels:?}");
    // The most important error first: the changed quote before the moved span.
    let changed = commands
        .iter()
        .position(|l| l.contains("title=prov changed"))
        .unwrap();
    let moved = commands
        .iter()
        .position(|l| l.contains("title=prov moved"))
        .unwrap();
    assert!(changed < moved, "{commands:#?}");
    let warnings = levels.iter().filter(|l| **l == "warning").count();
    assert!(warnings > 10);
    let notice = commands.last().unwrap();
    assert!(
        notice.starts_with("::notice title=prov%3A findings not shown"),
        "{notice}"
    );
    assert!(
        notice.contains(&format!("{} warnings are not shown", warnings - 10)),
        "{notice}"
    );
    assert!(
        notice.contains("every finding is in the job summary"),
        "{notice}"
    );
    let md = fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("# an earlier step\n## prov check"),
        "appended: {md}"
    );
    assert_eq!(
        md.matches("\n- **").count(),
        commands.len() - 1,
        "every finding is listed"
    );
    assert!(
        md.contains("- **error** `changed` `claims/ashraf-raid.toml`:"),
        "{md}"
    );

    // Without GITHUB_STEP_SUMMARY, the notice says so.
    let (_, stdout) = run(None);
    assert!(
        stdout.contains("GITHUB_STEP_SUMMARY is not set"),
        "{stdout}"
    );

    // A symbolic link is not followed: nothing is written through it.
    let target = tmp.path().join("elsewhere.md");
    fs::write(&target, "").unwrap();
    let link = tmp.path().join("link.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let (_, stdout) = run(Some(&link));
    assert!(stdout.contains("it is not a regular file"), "{stdout}");
    assert_eq!(fs::read_to_string(&target).unwrap(), "");
    // A file that does not exist is not created.
    let (_, stdout) = run(Some(&tmp.path().join("absent.md")));
    assert!(stdout.contains("was not written"), "{stdout}");
    assert!(!tmp.path().join("absent.md").exists());
}

#[test]
fn sarif_of_an_invalid_workspace_is_valid_too() {
    let tmp = tempfile::tempdir().unwrap();
    broken_example(tmp.path());
    fs::write(tmp.path().join("claims/bad.toml"), "[[claim]]\nid = \n").unwrap();
    let (code, stdout, _) = prov(tmp.path(), &["check", "--format", "sarif"]);
    assert_eq!(code, 2);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "toml-syntax");
}

#[test]
fn github_commands_escape_percent_colon_comma_and_newlines() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    fs::create_dir_all(ws.join("claims")).unwrap();
    fs::create_dir_all(ws.join("snapshots")).unwrap();
    let text = "Prices rose 5% in 2024.";
    fs::write(ws.join("snapshots/s.txt"), text).unwrap();
    let sha = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(text.as_bytes());
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    fs::write(
        ws.join("sources.toml"),
        format!(
            "[sources.s]\noutlet = \"a\"\ncaptured = 2026-11-22T10:00:00Z\nsha256 = \"{sha}\"\n"
        ),
    )
    .unwrap();
    fs::write(
        ws.join("claims/a,b.toml"),
        "[[claim]]\nid = \"x\"\nfact = \"x\"\n\n[[claim.cite]]\nsource = \"s\"\nquote = \"Costs: up 50%, then\\ndown\"\n",
    )
    .unwrap();
    let (code, stdout, _) = prov(ws, &["check", "--format", "github"]);
    assert_eq!(code, 1, "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("::error") && l.contains("title=prov missing"))
        .unwrap_or_else(|| panic!("no missing annotation in:\n{stdout}"));
    assert!(line.contains("file=claims/a%2Cb.toml,"), "{line}");
    assert!(line.contains(",line=7,col=9,"), "{line}");
    let (head, message) = line.trim_start_matches("::").split_once("::").unwrap();
    let props = head.strip_prefix("error ").unwrap();
    assert!(
        !props.contains(' ') || props.contains("title=prov missing"),
        "{props}"
    );
    assert!(!message.contains('\n'));
    assert!(message.contains("%0Ahelp: "), "{message}");
    // Every command is one line; messages keep ':' and ',' (only properties escape them).
    assert!(
        stdout
            .lines()
            .all(|l| l.starts_with("::") || l.starts_with("checked "))
    );
}

fn finding_set(json: &str) -> BTreeSet<String> {
    let v: Value = serde_json::from_str(json).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}:{} {}",
                d["code"], d["file"], d["line"], d["column"], d["message"]
            )
        })
        .collect()
}

#[test]
fn partitions_together_find_what_a_whole_run_finds() {
    let tmp = tempfile::tempdir().unwrap();
    broken_example(tmp.path());
    // An unused source too: a workspace-wide finding that exactly one shard reports.
    let mut sources = fs::read_to_string(tmp.path().join("sources.toml")).unwrap();
    let text = "Nobody cites this.";
    fs::write(tmp.path().join("snapshots/extra.txt"), text).unwrap();
    let sha = {
        use sha2::Digest;
        sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    sources.push_str(&format!(
        "\n[sources.extra]\noutlet = \"x\"\ncaptured = 2026-11-22T10:00:00Z\nsha256 = \"{sha}\"\n"
    ));
    fs::write(tmp.path().join("sources.toml"), sources).unwrap();

    let (code, whole, _) = prov(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1);
    let whole = finding_set(&whole);
    for n in [1, 2, 3, 5, 8] {
        let mut union = BTreeSet::new();
        let mut claims = 0;
        for k in 1..=n {
            let (_, out, err) = prov(
                tmp.path(),
                &[
                    "check",
                    "--format",
                    "json",
                    "--partition",
                    &format!("{k}/{n}"),
                ],
            );
            assert!(err.is_empty(), "{err}");
            let v: Value = serde_json::from_str(&out).unwrap();
            claims += v["summary"]["claims"].as_u64().unwrap();
            union.extend(finding_set(&out));
        }
        assert_eq!(union, whole, "{n} shards");
        assert_eq!(claims, 45, "{n} shards: every claim in exactly one shard");
    }
    let (code, _, err) = prov(tmp.path(), &["check", "--partition", "3/2"]);
    assert_eq!(code, 2);
    assert!(err.contains("1 <= K <= N"), "{err}");
}

#[test]
fn git_hook_refuses_a_broken_commit_and_accepts_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let repo_dir = tmp.path();
    // The workspace in a subdirectory of the repository, to exercise paths.
    let ws = repo_dir.join("newsroom");
    tiny(&ws);
    assert!(git(repo_dir, &["init", "-q"]).0);
    let (code, out, err) = prov(&ws, &["hook", "install"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("installed the prov pre-commit hook"), "{out}");
    assert!(git(repo_dir, &["add", "."]).0);
    let (ok, out) = git(repo_dir, &["commit", "-q", "-m", "workspace"]);
    assert!(ok, "a clean workspace commits:\n{out}");

    // A broken quote (with a fact edit): the commit is refused, with the diagnostic.
    let p = ws.join("claims/facts.toml");
    let good = fs::read_to_string(&p)
        .unwrap()
        .replace("The victim was 66.", "The victim was 66 years old.");
    fs::write(&p, good.replace("avait 66 ans", "avait 65 ans")).unwrap();
    assert!(git(repo_dir, &["add", "."]).0);
    let (ok, out) = git(repo_dir, &["commit", "-q", "-m", "broken"]);
    assert!(!ok, "the commit must be refused:\n{out}");
    assert!(out.contains("error[changed]"), "{out}");
    assert!(out.contains("La victime avait [-65-]{+66+} ans."), "{out}");

    // Fixed: the commit goes through.
    fs::write(&p, &good).unwrap();
    assert!(git(repo_dir, &["add", "."]).0);
    let (ok, out) = git(repo_dir, &["commit", "-q", "-m", "fixed"]);
    assert!(ok, "{out}");

    // A commit that touches no claim file does not run prov at all.
    fs::write(repo_dir.join("README"), "x").unwrap();
    fs::write(&p, good.replace("avait 66 ans", "avait 65 ans")).unwrap();
    assert!(git(repo_dir, &["add", "README"]).0);
    let (ok, out) = git(repo_dir, &["commit", "-q", "-m", "readme"]);
    assert!(ok, "{out}");
}

#[test]
fn hook_install_respects_foreign_hooks_and_uninstall_removes_only_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    tiny(ws);
    assert!(git(ws, &["init", "-q"]).0);
    let hook = ws.join(".git/hooks/pre-commit");
    fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();

    let (code, _, err) = prov(ws, &["hook", "install"]);
    assert_eq!(code, 2);
    assert!(err.contains("was not written by prov"), "{err}");
    assert_eq!(fs::read_to_string(&hook).unwrap(), "#!/bin/sh\necho mine\n");
    let (code, _, err) = prov(ws, &["hook", "uninstall"]);
    assert_eq!(code, 2, "{err}");
    assert!(hook.exists());

    let (code, out, _) = prov(ws, &["hook", "install", "--force"]);
    assert_eq!(code, 0);
    assert!(out.contains("replaced"), "{out}");
    assert_eq!(
        fs::read_to_string(ws.join(".git/hooks/pre-commit.prov-backup")).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    // Installing again over its own hook needs no --force.
    let (code, _, _) = prov(ws, &["hook", "install"]);
    assert_eq!(code, 0);
    let (code, out, _) = prov(ws, &["hook", "uninstall"]);
    assert_eq!(code, 0, "{out}");
    assert!(!hook.exists());

    // Outside a git repository: a clear refusal.
    let bare = tempfile::tempdir().unwrap();
    tiny(bare.path());
    let (code, _, err) = prov(bare.path(), &["hook", "install"]);
    assert_eq!(code, 2);
    assert!(err.contains("not inside a git repository"), "{err}");
}
