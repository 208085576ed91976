//! Test support: a real moto_server, a fault-injecting proxy, and `TestEnv`, which runs the
//! built binary in a temp repository with a clean AWS environment and checks every run for
//! leaked secret values.

pub mod moto;
pub mod proxy;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

pub use moto::{Account, Moto};

/// The binary under test: this build's, or another build's named by SECRETS_TEST_BIN (to
/// show that a new test fails on an older build).
pub fn bin() -> String {
    std::env::var("SECRETS_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_secrets").to_string())
}

/// A temp monorepo and home directory, a moto endpoint, and the values seeded so far.
pub struct TestEnv {
    dir: tempfile::TempDir,
    /// The endpoint the binary is sent to (moto, or a proxy in front of it).
    pub endpoint: String,
    /// The moto endpoint used for seeding.
    pub moto_url: String,
    seeded: Vec<String>,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl TestEnv {
    /// A fresh repository (with `.git`) and home, talking to the shared moto server.
    pub fn new() -> TestEnv {
        Self::with_moto(&Moto::shared().url)
    }

    /// Like `new`, against a given endpoint (an account of the shared server).
    pub fn with_moto(url: &str) -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("repo/.git")).expect("repo");
        std::fs::create_dir_all(dir.path().join("home/.aws")).expect("home");
        TestEnv {
            dir,
            endpoint: url.to_string(),
            moto_url: url.to_string(),
            seeded: Vec::new(),
        }
    }

    /// A repository that is a copy of tests/fixtures/monorepo, against `url`.
    pub fn with_fixture(url: &str) -> TestEnv {
        let env = Self::with_moto(url);
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/monorepo");
        copy_tree(&fixture, &env.repo());
        env
    }

    /// The repository root.
    pub fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// The fake home directory.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// `<repo>/.env.secret`.
    pub fn env_file(&self) -> PathBuf {
        self.repo().join(".env.secret")
    }

    /// Writes a file in the repository, creating its folders.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.repo().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write repo file");
    }

    /// Writes `~/.aws/config`.
    pub fn aws_config(&self, text: &str) {
        std::fs::write(self.home().join(".aws/config"), text).expect("write aws config");
    }

    /// Writes `~/.aws/credentials`.
    pub fn aws_credentials(&self, text: &str) {
        std::fs::write(self.home().join(".aws/credentials"), text).expect("write credentials");
    }

    /// Stores parameters in moto (region eu-west-1) and remembers the values for the leak scan.
    pub fn seed(&mut self, params: &[(&str, &str)]) {
        self.seed_in("eu-west-1", params);
    }

    /// Stores parameters in moto in `region`.
    pub fn seed_in(&mut self, region: &str, params: &[(&str, &str)]) {
        let client = ssm_client(&self.moto_url, region);
        let rt = runtime();
        for (name, value) in params {
            // The type by the name's ending: `_PLAIN` String, `_LIST` StringList.
            let kind = if name.ends_with("_PLAIN") {
                aws_sdk_ssm::types::ParameterType::String
            } else if name.ends_with("_LIST") {
                aws_sdk_ssm::types::ParameterType::StringList
            } else {
                aws_sdk_ssm::types::ParameterType::SecureString
            };
            rt.block_on(
                client
                    .put_parameter()
                    .name(*name)
                    .value(*value)
                    .r#type(kind)
                    .send(),
            )
            .unwrap_or_else(|e| {
                panic!(
                    "seeding {name}: {}",
                    aws_sdk_ssm::error::DisplayErrorContext(e)
                )
            });
            self.seeded.push(value.to_string());
        }
    }

    /// Adds a value to the leak scan without storing it (for values the binary creates).
    pub fn watch(&mut self, value: &str) {
        self.seeded.push(value.to_string());
    }

    /// A command for the binary in the repo, with every inherited variable cleared and
    /// credentials that moto accepts (as `aws-vault exec` would set them).
    pub fn cmd(&self, args: &[&str]) -> Cmd<'_> {
        let mut c = self.bare_cmd(args);
        c.env("AWS_ACCESS_KEY_ID", "AKIDTESTING")
            .env("AWS_SECRET_ACCESS_KEY", "testing-secret");
        c
    }

    /// Like `cmd` but with no credentials and no endpoint; only PATH, HOME and the AWS file
    /// locations.
    pub fn bare_cmd(&self, args: &[&str]) -> Cmd<'_> {
        self.command_for(Command::new(bin()), args)
    }

    /// Like `cmd`, but the binary runs under `wrapper` (a program and its arguments, which
    /// receives the binary's path and arguments after its own).
    pub fn cmd_wrapped(&self, wrapper: &[&str], args: &[&str]) -> Cmd<'_> {
        let mut command = Command::new(wrapper[0]);
        command.args(&wrapper[1..]).arg(bin());
        let mut c = self.command_for(command, args);
        c.env("AWS_ACCESS_KEY_ID", "AKIDTESTING")
            .env("AWS_SECRET_ACCESS_KEY", "testing-secret");
        c
    }

    /// Like `cmd`, but stdin, stdout and stderr are a pseudo-terminal (through python3's
    /// `pty` module, which Linux and macOS both have); the run's `stdout` is the screen.
    pub fn cmd_in_pty(&self, args: &[&str]) -> Cmd<'_> {
        let wrapper = ["python3", "-c", "import pty, sys; pty.spawn(sys.argv[1:])"];
        let mut c = self.cmd_wrapped(&wrapper, args);
        c.env("TERM", "xterm");
        c
    }

    /// Runs the binary (with `cmd`'s environment) on a pseudo-terminal, for prompts.
    pub fn spawn_in_pty(&self, args: &[&str]) -> rexpect::session::PtySession {
        self.cmd(args).spawn_in_pty()
    }

    fn command_for(&self, mut command: Command, args: &[&str]) -> Cmd<'_> {
        command
            .args(args)
            .current_dir(self.repo())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("AWS_CONFIG_FILE", self.home().join(".aws/config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home().join(".aws/credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null());
        Cmd {
            env: self,
            command,
            values_on_stdout: false,
        }
    }

    /// `cmd` with `--endpoint-url` pointing at this env's endpoint.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.extend(["--endpoint-url", &self.endpoint]);
        self.cmd(&all).run()
    }

    /// Asserts that no seeded value appears in `text`.
    pub fn assert_no_values(&self, what: &str, text: &str) {
        for value in &self.seeded {
            // Short values ("1") would match by chance; every test seeds long, distinct ones.
            if value.len() >= 6 {
                assert!(
                    !text.contains(value.as_str()),
                    "a seeded secret value appeared in {what}"
                );
            }
        }
    }
}

/// A prepared run of the binary.
pub struct Cmd<'a> {
    env: &'a TestEnv,
    /// The underlying command, for extra environment.
    pub command: Command,
    values_on_stdout: bool,
}

impl Cmd<'_> {
    /// Sets a variable.
    pub fn env(&mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> &mut Self {
        self.command.env(key, value);
        self
    }

    /// Values are expected on stdout (`--file -`); stderr is still scanned.
    pub fn values_on_stdout(&mut self) -> &mut Self {
        self.values_on_stdout = true;
        self
    }

    /// Starts the run on a pseudo-terminal, for prompts (the caller scans what it reads).
    pub fn spawn_in_pty(&mut self) -> rexpect::session::PtySession {
        self.command.env("TERM", "xterm").stdin(Stdio::inherit());
        let command = std::mem::replace(&mut self.command, Command::new("true"));
        let options = rexpect::reader::Options::new()
            .timeout_ms(Some(20_000))
            .strip_ansi_escape_codes(true);
        rexpect::session::spawn_with_options(command, options).expect("spawn in a pty")
    }

    /// Runs to completion and applies the leak scan.
    pub fn run(&mut self) -> Run {
        let out = self.command.output().expect("run secrets");
        self.finish(out)
    }

    /// Runs with `input` on stdin, then applies the leak scan like `run`.
    pub fn run_with_stdin(&mut self, input: &[u8]) -> Run {
        use std::io::Write;
        let mut child = self
            .command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run secrets");
        let written = child.stdin.take().expect("piped stdin").write_all(input);
        // A run that ends (e.g. refuses its arguments) without reading stdin closes the pipe.
        if let Err(e) = written {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
        let out = child.wait_with_output().expect("wait for secrets");
        self.finish(out)
    }

    fn finish(&self, out: std::process::Output) -> Run {
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        self.env.assert_no_values("stderr", &run.stderr);
        if !self.values_on_stdout {
            self.env.assert_no_values("stdout", &run.stdout);
        }
        run
    }
}

impl Run {
    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A unique project name per call, so tests sharing a server never see each other's data.
pub fn project(stem: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{stem}-{}", N.fetch_add(1, Ordering::Relaxed))
}

/// A single-threaded Tokio runtime for seeding.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// An SSM client for seeding moto directly.
pub fn ssm_client(url: &str, region: &str) -> aws_sdk_ssm::Client {
    let creds =
        aws_credential_types::Credentials::new("AKIDTESTING", "testing-secret", None, None, "test");
    let conf = aws_sdk_ssm::Config::builder()
        .behavior_version(aws_sdk_ssm::config::BehaviorVersion::latest())
        .region(aws_sdk_ssm::config::Region::new(region.to_string()))
        .endpoint_url(url)
        .credentials_provider(creds)
        .build();
    aws_sdk_ssm::Client::from_conf(conf)
}

/// A parameter as moto holds it.
pub struct Stored {
    /// The decrypted value.
    pub value: String,
    /// `String`, `StringList` or `SecureString`.
    pub kind: String,
    /// Current version.
    pub version: i64,
    /// Tags, in moto's order.
    pub tags: Vec<(String, String)>,
    /// Description, from DescribeParameters.
    pub description: Option<String>,
    /// `Standard` or `Advanced`.
    pub tier: String,
    /// KMS key of a SecureString.
    pub key: Option<String>,
}

/// The stored value, type, version, tags, description, tier and key of `name` in the server
/// at `url`; None if it does not exist.
pub fn stored(url: &str, name: &str) -> Option<Stored> {
    let client = ssm_client(url, "eu-west-1");
    let rt = runtime();
    let p = rt
        .block_on(
            client
                .get_parameter()
                .name(name)
                .with_decryption(true)
                .send(),
        )
        .ok()?
        .parameter?;
    let tags = rt
        .block_on(
            client
                .list_tags_for_resource()
                .resource_type(aws_sdk_ssm::types::ResourceTypeForTagging::Parameter)
                .resource_id(name)
                .send(),
        )
        .ok()?
        .tag_list
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect();
    let filter = aws_sdk_ssm::types::ParameterStringFilter::builder()
        .key("Name")
        .option("Equals")
        .values(name)
        .build()
        .ok()?;
    let meta = rt
        .block_on(
            client
                .describe_parameters()
                .parameter_filters(filter)
                .send(),
        )
        .ok()?
        .parameters?
        .into_iter()
        .next()?;
    Some(Stored {
        value: p.value?,
        kind: p.r#type?.as_str().to_string(),
        version: p.version,
        tags,
        description: meta.description,
        tier: meta
            .tier
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        key: meta.key_id,
    })
}

/// Sources `file` in `shell` and returns `$name`'s exact bytes; runs in `cwd`.
pub fn source_value(shell: &str, file: &Path, name: &str, cwd: &Path) -> String {
    let script = format!(". \"$1\" && printf %s \"${name}\"");
    let out = Command::new(shell)
        .args(["-c", &script, shell])
        .arg(file)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .expect("run shell");
    assert!(out.status.success(), "{shell} could not source the file");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The file's Unix permission bits.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("fixture entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
