//! Ctrl-C and early input, on a real terminal (a pty): every interrupt exits 130 and says
//! truthfully what was done; and validation comes before any prompt or request.

use std::fs;
use std::time::{Duration, Instant};

use rexpect::process::WaitStatus;
use rexpect::session::PtySession;

use crate::support::proxy::{Proxy, Reply, Rule};
use crate::support::{Moto, TestEnv, project, runtime, ssm_client};

fn exit_code(s: &PtySession) -> i32 {
    match s.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not a normal exit: {other:?}"),
    }
}

fn exists(url: &str, name: &str) -> bool {
    let client = ssm_client(url, "eu-west-1");
    runtime()
        .block_on(client.get_parameter().name(name).send())
        .is_ok()
}

fn delay(op: &'static str, d: Duration) -> Rule {
    Rule {
        op,
        skip: 0,
        times: usize::MAX,
        every: 1,
        reply: Reply::Delay(d),
    }
}

#[test]
fn ctrl_c_at_the_final_confirmation_exits_130_and_creates_nothing() {
    let mut env = TestEnv::new();
    env.watch("confirm-interrupt-value");
    let name = format!("/k8s/{}/NEVER", project("confirm-sigint"));
    let mut s = env.spawn_in_pty(&[
        "create",
        "--name",
        &name,
        "--value",
        "confirm-interrupt-value",
        "--endpoint-url",
        &env.endpoint,
    ]);
    s.exp_string("Are you sure?").unwrap();
    s.send_control('c').unwrap();
    let rest = s.exp_eof().unwrap();
    assert!(rest.contains("interrupted: nothing was created"), "{rest}");
    assert!(!rest.contains("error:"), "{rest}");
    assert_eq!(exit_code(&s), 130);
    assert!(!exists(&env.moto_url, &name));
}

#[test]
fn an_enter_typed_ahead_does_not_answer_the_confirmation() {
    let mut env = TestEnv::new();
    env.watch("typeahead-value-1");
    // The identity check takes a moment, as over a VPN; the Enter is typed meanwhile.
    let proxy = Proxy::start(
        &env.moto_url,
        vec![delay("GetCallerIdentity", Duration::from_millis(1500))],
    );
    let name = format!("/k8s/{}/TYPED_AHEAD", project("typeahead"));
    let mut s = env.spawn_in_pty(&[
        "create",
        "--name",
        &name,
        "--value",
        "typeahead-value-1",
        "--endpoint-url",
        &proxy.url,
    ]);
    s.send_line("").unwrap();
    s.exp_string("Are you sure?").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(!exists(&env.moto_url, &name), "the early Enter confirmed");
    s.send("n").unwrap();
    s.send_line("").unwrap();
    s.exp_string("nothing was created").unwrap();
    s.exp_eof().unwrap();
    assert_eq!(exit_code(&s), 1);
    assert!(!exists(&env.moto_url, &name));
}

#[test]
fn ctrl_c_while_waiting_for_the_env_file_lock_exits_130_at_once() {
    let mut env = TestEnv::new();
    let p = project("lock-sigint");
    env.seed(&[(&format!("/k8s/{p}/LOCKED"), "locked-value-1")]);
    let before = "export MINE='untouched'\n";
    fs::write(env.env_file(), before).unwrap();
    // Another run holds the lock (it locks the file's directory).
    let holder = fs::File::open(env.repo()).unwrap();
    holder.lock().unwrap();
    let mut s = env.spawn_in_pty(&["get", &p, "--endpoint-url", &env.endpoint]);
    s.exp_string("waiting for another run to finish writing")
        .unwrap();
    let sent = Instant::now();
    s.send_control('c').unwrap();
    let rest = s.exp_eof().unwrap();
    assert!(
        sent.elapsed() < Duration::from_secs(3),
        "took {:?}",
        sent.elapsed()
    );
    assert!(rest.contains("interrupted: nothing was written"), "{rest}");
    assert_eq!(exit_code(&s), 130);
    drop(holder);
    assert_eq!(fs::read_to_string(env.env_file()).unwrap(), before);
}

#[test]
fn ctrl_c_during_the_writes_reports_each_account() {
    let (dev, prod) = (Moto::account(), Moto::account());
    let slow = Proxy::start(
        &prod.url,
        vec![delay("PutParameter", Duration::from_secs(2))],
    );
    let mut env = TestEnv::with_moto(&dev.url);
    env.watch("two-account-interrupt");
    env.aws_config(&format!(
        "[profile dev]\nregion = eu-west-1\nendpoint_url = {}\n\n[profile prod]\nregion = eu-west-1\nendpoint_url = {}\n",
        dev.url, slow.url
    ));
    env.aws_credentials(
        "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n\n\
        [prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = prod-secret\n",
    );
    let name = format!("/k8s/{}/BOTH", project("write-sigint"));
    let mut s = env.spawn_in_pty(&[
        "create",
        "--name",
        &name,
        "--value",
        "two-account-interrupt",
        "-y",
        "--profile",
        "dev",
        "--profile",
        "prod",
    ]);
    let started = Instant::now();
    while slow.count("PutParameter") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no PutParameter sent"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    s.send_control('c').unwrap();
    s.exp_string("interrupted: finishing the requests already sent")
        .unwrap();
    let rest = s.exp_eof().unwrap();
    assert!(
        rest.contains(&format!(
            "Created {name} (SecureString, version 1) in {} (dev)",
            dev.id
        )),
        "{rest}"
    );
    assert!(
        rest.contains(&format!(
            "Created {name} (SecureString, version 1) in {} (prod)",
            prod.id
        )),
        "{rest}"
    );
    assert!(
        rest.contains("interrupted: each account's outcome is listed above"),
        "{rest}"
    );
    assert!(!rest.contains("nothing was written"), "{rest}");
    assert_eq!(exit_code(&s), 130);
    assert!(exists(&dev.url, &name) && exists(&prod.url, &name));
}

#[test]
fn an_invalid_request_against_an_mfa_profile_asks_nothing_and_sends_nothing() {
    let env = TestEnv::new();
    let proxy = Proxy::start(&env.moto_url, vec![]);
    env.aws_config(&format!(
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n\n\
         [profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::123456789012:mfa/dev\nregion = eu-west-1\nendpoint_url = {}\n",
        proxy.url
    ));
    env.write(".env.secret", "export BROKEN='never closed\n");
    let cases: [&[&str]; 5] = [
        &["get", "bad/name"],
        &["get", "api"],
        &["list", "api", "--profile", "mfa", "--profile", "base"],
        &["exec", "bad name", "--", "true"],
        &[
            "create",
            "--name",
            "has space/KEY",
            "--value",
            "never-sent-1",
            "-y",
        ],
    ];
    for args in cases {
        let mut all = args.to_vec();
        if !all.contains(&"--profile") {
            all.extend(["--profile", "mfa"]);
        }
        // A code on stdin: had anything asked for one, it would have been read and used.
        let run = env.bare_cmd(&all).run_with_stdin(b"123456\n");
        run.expect_code(2);
        assert!(!run.stderr.contains("MFA"), "{args:?}: {}", run.stderr);
        assert_eq!(
            *proxy.seen.lock().unwrap(),
            Vec::<String>::new(),
            "{args:?}"
        );
    }
}

#[test]
fn ctrl_c_at_the_hidden_value_prompt_leaves_the_terminal_echoing() {
    let env = TestEnv::new();
    let name = format!("/k8s/{}/NEVER", project("hidden-sigint"));
    // The pty starts with echo off (rexpect's choice), so bash turns it on, runs the binary,
    // waits for it (it handles SIGINT itself), then prints the modes it left.
    let mut cmd = env.cmd_wrapped(
        &[
            "bash",
            "-c",
            "stty echo; \"$@\"; echo \"exit=$?\"; stty -a",
            "bash",
        ],
        &["create", "--name", &name, "--endpoint-url", &env.endpoint],
    );
    cmd.command
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::inherit());
    let command = std::mem::replace(&mut cmd.command, std::process::Command::new("true"));
    let options = rexpect::reader::Options::new()
        .timeout_ms(Some(20_000))
        .strip_ansi_escape_codes(true);
    let mut s = rexpect::session::spawn_with_options(command, options).expect("spawn in a pty");
    s.exp_string("Secret value").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    s.send_control('c').unwrap();
    let rest = s.exp_eof().unwrap();
    assert!(rest.contains("exit=130"), "{rest}");
    let modes: Vec<&str> = rest.split_whitespace().collect();
    assert!(modes.contains(&"echo"), "echo is off after the run: {rest}");
    assert!(modes.contains(&"icanon"), "{rest}");
    assert!(!exists(&env.moto_url, &name));
}
