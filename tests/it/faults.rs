//! `get` under injected faults: each scenario with its expected outcome.

use std::fs;
use std::time::{Duration, Instant};

use crate::get_failures::{BEFORE, assert_untouched, behind_proxy, env_with_pages};
use crate::support::proxy::{Reply, Rule};

#[test]
fn throttling_on_half_the_requests_still_writes_everything() {
    let (mut env, p) = env_with_pages("halfthrottle", 35);
    let throttle = || Reply::AwsError(400, "ThrottlingException");
    let proxy = behind_proxy(
        &mut env,
        vec![
            Rule::new("DescribeParameters", 0, usize::MAX, 2, throttle()),
            Rule::new("GetParameters", 0, usize::MAX, 2, throttle()),
        ],
    );
    env.run(&["get", &p]).expect_code(0);
    // 4 pages, each throttled once (a busy moto may cost another retry, never fewer).
    let pages = proxy.count("DescribeParameters");
    assert!((8..=10).contains(&pages), "{pages} DescribeParameters");
    assert_eq!(
        fs::read_to_string(env.env_file()).unwrap().lines().count(),
        2 + 35
    );
}

#[test]
fn persistent_500_fails_within_a_bounded_time() {
    let (mut env, p) = env_with_pages("persist500", 3);
    let _proxy = behind_proxy(
        &mut env,
        vec![Rule::new(
            "DescribeParameters",
            0,
            usize::MAX,
            1,
            Reply::AwsError(500, "InternalServerError"),
        )],
    );
    let start = Instant::now();
    let run = env.run(&["get", &p, "--max-attempts", "3"]);
    run.expect_code(1);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    assert!(
        run.stderr.starts_with(&format!(
            "error: DescribeParameters on /k8s/{p}/ failed: InternalServerError"
        )),
        "{}",
        run.stderr
    );
    assert_untouched(&env);
}

#[test]
fn a_connection_reset_mid_pagination_is_retried() {
    let (mut env, p) = env_with_pages("reset", 25);
    let proxy = behind_proxy(
        &mut env,
        vec![Rule::new(
            "DescribeParameters",
            1,
            1,
            1,
            Reply::ResetAfter(40),
        )],
    );
    let run = env.run(&["get", &p]);
    run.expect_code(0);
    // 3 pages and the faulted one again; never fewer. A busy moto may cost a retry or two more
    // (CI once saw 6), so the upper bound only says the run did not loop.
    let pages = proxy.count("DescribeParameters");
    assert!((4..=10).contains(&pages), "{pages} DescribeParameters");
    assert_eq!(
        fs::read_to_string(env.env_file()).unwrap().lines().count(),
        2 + 25
    );
}

#[test]
fn a_truncated_body_mid_pagination_is_retried() {
    let (mut env, p) = env_with_pages("truncate", 25);
    let proxy = behind_proxy(
        &mut env,
        vec![Rule::new("DescribeParameters", 1, 1, 1, Reply::Truncate)],
    );
    let run = env.run(&["get", &p]);
    run.expect_code(0);
    // 3 pages and the faulted one again; never fewer. A busy moto may cost a retry or two more
    // (CI once saw 6), so the upper bound only says the run did not loop.
    let pages = proxy.count("DescribeParameters");
    assert!((4..=10).contains(&pages), "{pages} DescribeParameters");
    assert_eq!(
        fs::read_to_string(env.env_file()).unwrap().lines().count(),
        2 + 25
    );
}

#[test]
fn a_truncated_body_on_every_attempt_fails_cleanly() {
    let (mut env, p) = env_with_pages("truncall", 25);
    let _proxy = behind_proxy(
        &mut env,
        vec![Rule::new(
            "DescribeParameters",
            1,
            usize::MAX,
            1,
            Reply::Truncate,
        )],
    );
    let run = env.run(&["get", &p, "--max-attempts", "2"]);
    run.expect_code(1);
    assert!(
        run.stderr.starts_with("error: the connection to "),
        "{}",
        run.stderr
    );
    assert_untouched(&env);
}

#[test]
fn a_stalled_server_times_out_as_asked() {
    let (mut env, p) = env_with_pages("stall", 3);
    let _proxy = behind_proxy(
        &mut env,
        vec![Rule::new(
            "DescribeParameters",
            0,
            usize::MAX,
            1,
            Reply::Stall(Duration::from_secs(30)),
        )],
    );
    let start = Instant::now();
    let run = env.run(&["get", &p, "--timeout", "2"]);
    run.expect_code(1);
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(
        run.stderr,
        format!(
            "error: DescribeParameters on /k8s/{p}/ timed out\nhint: check your network or VPN, or allow more time with --timeout SECONDS\n"
        )
    );
    assert_untouched(&env);
}

#[test]
fn a_full_disk_is_a_clear_error_and_the_old_file_survives() {
    let (env, p) = env_with_pages("fulldisk", 90);
    // RLIMIT_FSIZE makes writes past one block fail with EFBIG, as a full disk would fail
    // them; SIGXFSZ is ignored so the write returns an error instead of killing the process.
    let wrapper = ["sh", "-c", "trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\""];
    let mut cmd = env.cmd_wrapped(&wrapper, &["get", &p, "--endpoint-url", &env.endpoint]);
    let run = cmd.run();
    run.expect_code(1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: cannot write a temporary file in {}",
            env.repo().display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read_to_string(env.env_file()).unwrap(), BEFORE);
    assert_untouched(&env);
}

#[test]
fn an_unwritable_directory_is_a_clear_error() {
    let (env, p) = env_with_pages("readonly", 1);
    // /proc refuses new files even to root, unlike a chmod-ed directory.
    let run = env.run(&["get", &p, "--file", "/proc/secrets-test.env"]);
    run.expect_code(1);
    assert!(run.stderr.starts_with("error: cannot "), "{}", run.stderr);
    assert!(run.stderr.contains("/proc"), "{}", run.stderr);
}

#[test]
fn an_unwritable_directory_is_found_before_any_request_with_a_hint() {
    let (mut env, p) = env_with_pages("readonly-first", 1);
    let proxy = behind_proxy(&mut env, vec![]);
    // /proc refuses new files even to root, unlike a chmod-ed directory.
    let run = env.run(&["get", &p, "--file", "/proc/secrets-test.env"]);
    run.expect_code(1);
    assert!(
        run.stderr.starts_with("error: cannot write in /proc: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("\nhint: make the directory writable, or write elsewhere with --file PATH"),
        "{}",
        run.stderr
    );
    assert!(proxy.seen.lock().unwrap().is_empty(), "{:?}", proxy.seen);
}
