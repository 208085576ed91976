//! `get` at the round-trip limit: the sweep discovers names with DescribeParameters and
//! fetches each page as it arrives, with the same result as GetParametersByPath (its fallback
//! when DescribeParameters is denied); every declared batch is in flight at once.

use std::time::{Duration, Instant};

use crate::support::proxy::{Proxy, Reply, Rule};
use crate::support::{TestEnv, project, runtime, ssm_client};

/// 60 parameters under `/k8s/{p}/`, nested up to three levels, of all three types.
fn sixty(env: &mut TestEnv, p: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    for i in 0..60 {
        let dir = match i % 3 {
            0 => String::new(),
            1 => "nested/".to_string(),
            _ => format!("deep/level{}/", i % 2),
        };
        let kind = match i % 4 {
            0 => "_PLAIN",
            1 => "_LIST",
            _ => "",
        };
        let name = format!("/k8s/{p}/{dir}KEY_{i:02}{kind}");
        let value = match kind {
            "_LIST" => format!("sweep-list-{i},second-{i}"),
            _ => format!("sweep value {i} with 'quotes' and $HOME"),
        };
        params.push((name, value));
    }
    let refs: Vec<(&str, &str)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    env.seed(&refs);
    params
}

fn get_json(env: &TestEnv, p: &str, extra: &[&str]) -> crate::support::Run {
    let mut args = vec![
        "get",
        p,
        "--file",
        "-",
        "--format",
        "json",
        "--endpoint-url",
    ];
    args.push(&env.endpoint);
    args.extend(extra);
    let run = env.cmd(&args).values_on_stdout().run();
    run.expect_code(0);
    run
}

#[test]
fn the_sweep_by_description_equals_the_sweep_by_path_and_falls_back_when_denied() {
    let mut env = TestEnv::new();
    let p = project("sweep");
    let params = sixty(&mut env, &p);
    let proxy = Proxy::start(&env.moto_url, vec![]);
    env.endpoint = proxy.url.clone();
    let by_description = get_json(&env, &p, &["-v"]);
    // Names from DescribeParameters pages (moto, like SSM, may return short pages), values
    // from GetParameters; GetParametersByPath never.
    assert_eq!(proxy.count("GetParametersByPath"), 0);
    assert!(proxy.count("DescribeParameters") >= 2);
    assert!(proxy.count("GetParameters") >= 6);
    let doc: serde_json::Value = serde_json::from_str(&by_description.stdout).unwrap();
    assert_eq!(doc.as_object().unwrap().len(), 60);
    for (name, value) in &params {
        let var = name.rsplit('/').next().unwrap();
        assert_eq!(doc[var].as_str(), Some(value.as_str()), "{var}");
    }
    assert!(
        !by_description.stderr.contains("denied"),
        "{}",
        by_description.stderr
    );

    // DescribeParameters denied: GetParametersByPath sweeps instead, said once under -v, and
    // the output is the same, byte for byte.
    let denied = Proxy::start(
        &env.moto_url,
        vec![Rule::new(
            "DescribeParameters",
            0,
            usize::MAX,
            1,
            Reply::AwsError(400, "AccessDeniedException"),
        )],
    );
    env.endpoint = denied.url.clone();
    let by_path = get_json(&env, &p, &["-v"]);
    assert_eq!(by_path.stdout, by_description.stdout);
    assert!(denied.count("GetParametersByPath") >= 6);
    assert_eq!(
        by_path
            .stderr
            .matches("DescribeParameters is denied: swept with GetParametersByPath")
            .count(),
        1,
        "{}",
        by_path.stderr
    );
}

/// The names of each DescribeParameters page for `Path` `/k8s/{p}` recursive, 50 a page, as the
/// binary asks for them.
fn describe_pages(env: &TestEnv, p: &str) -> Vec<Vec<String>> {
    let filter = aws_sdk_ssm::types::ParameterStringFilter::builder()
        .key("Path")
        .option("Recursive")
        .values(format!("/k8s/{p}"))
        .build()
        .expect("filter");
    let client = ssm_client(&env.moto_url, "eu-west-1");
    runtime().block_on(async {
        let mut pages = client
            .describe_parameters()
            .parameter_filters(filter)
            .max_results(50)
            .into_paginator()
            .send();
        let mut names = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.expect("DescribeParameters");
            names.push(
                page.parameters()
                    .iter()
                    .filter_map(|m| m.name().map(str::to_string))
                    .collect(),
            );
        }
        names
    })
}

#[test]
fn a_name_deleted_between_discovery_and_fetch_is_simply_absent() {
    let mut env = TestEnv::new();
    let p = project("vanish");
    let params = sixty(&mut env, &p);
    // Discovery is over when the GetParameters calls for its last page have been sent: that
    // page was answered before. moto's page tokens are positions, so a deletion while pages
    // are still asked for would shift them (SSM's are not): count the calls to wait for by
    // paging as the binary does, before anything runs. The name deleted is the last name of
    // the last page that has names (moto ends with an empty one): its call has been held by
    // the proxy for a few milliseconds only when the name is deleted.
    let pages = describe_pages(&env, &p);
    let calls = pages.iter().map(|n| n.len().div_ceil(10)).sum::<usize>();
    assert!(calls >= 2, "{calls} GetParameters calls");
    let gone = pages
        .iter()
        .rev()
        .find_map(|page| page.last())
        .expect("a page of names")
        .clone();
    let proxy = Proxy::start(
        &env.moto_url,
        vec![Rule::new(
            "GetParameters",
            0,
            usize::MAX,
            1,
            Reply::Delay(Duration::from_millis(1500)),
        )],
    );
    env.endpoint = proxy.url.clone();
    let run = std::thread::scope(|s| {
        let running = s.spawn(|| get_json(&env, &p, &[]));
        let started = Instant::now();
        while proxy.count("GetParameters") < calls {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{} of {calls} GetParameters sent",
                proxy.count("GetParameters")
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        // The GetParameters calls are held by the proxy: delete one name now.
        runtime()
            .block_on(
                ssm_client(&env.moto_url, "eu-west-1")
                    .delete_parameter()
                    .name(&gone)
                    .send(),
            )
            .unwrap();
        running.join().unwrap()
    });
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let absent: Vec<&str> = params
        .iter()
        .map(|(n, _)| n.rsplit('/').next().unwrap())
        .filter(|v| doc.get(*v).is_none())
        .collect();
    assert_eq!(absent, [gone.rsplit('/').next().unwrap()], "{}", run.stderr);
    assert!(doc.get(gone.rsplit('/').next().unwrap()).is_none());
}

#[test]
fn every_declared_batch_is_in_flight_at_once() {
    // 250 declared names outside the project's prefix (so the sweep adds nothing), each
    // GetParameters call held 800 ms by the proxy: 25 calls at once take one such round.
    let mut env = TestEnv::new();
    let p = project("burst");
    let mut entries = String::new();
    for i in 0..250 {
        entries.push_str(&format!("    K{i:03}: '/k8s/{p}-store/K{i:03}',\n"));
    }
    env.write(
        "apps/burst/infra/burst.ts",
        &format!("export const setup = () =>\n  service('{p}').secrets({{\n{entries}  }})\n"),
    );
    let seeded: Vec<(String, String)> = (0..250)
        .step_by(25)
        .map(|i| {
            (
                format!("/k8s/{p}-store/K{i:03}"),
                format!("burst-value-{i}"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = seeded
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    env.seed(&refs);
    let proxy = Proxy::start(
        &env.moto_url,
        vec![Rule::new(
            "GetParameters",
            0,
            usize::MAX,
            1,
            Reply::Delay(Duration::from_millis(800)),
        )],
    );
    env.endpoint = proxy.url.clone();
    let started = Instant::now();
    let run = get_json(&env, &p, &["--declared-only"]);
    let took = started.elapsed();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc.as_object().unwrap().len(), 10);
    // 25 calls, none repeated, and all in one round: 8 at a time would take four (3.2 s).
    assert_eq!(proxy.count("GetParameters"), 25);
    assert!(took < Duration::from_millis(2400), "{took:?}");
    // Bounded by --in-flight: 5 at a time is five rounds.
    let started = Instant::now();
    get_json(&env, &p, &["--declared-only", "--in-flight", "5"]);
    assert!(
        started.elapsed() > Duration::from_millis(3900),
        "{:?}",
        started.elapsed()
    );
}
