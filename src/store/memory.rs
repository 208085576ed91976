//! An in-memory `SecretStore` for in-process tests of the commands' decisions: it keeps
//! parameters in a map, records every call, and fails the operations it is told to.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use super::{SecretStore, StoreError, Swept};
use crate::model::{
    Deleted, Existing, Identity, Kind, NewParameter, Parameter, SecretValue, Session, Stored, Tier,
    Version,
};

/// Makes the error an operation fails with (StoreError is not `Clone`).
pub type Failure = Box<dyn Fn(&str) -> StoreError + Send + Sync>;

/// One account's parameters.
pub struct MemoryStore {
    account: String,
    params: Mutex<BTreeMap<String, Stored>>,
    failures: Mutex<HashMap<&'static str, Failure>>,
    calls: Mutex<Vec<String>>,
}

impl MemoryStore {
    /// An empty store for account `account`.
    pub fn new(account: &str) -> Self {
        Self {
            account: account.to_string(),
            params: Mutex::new(BTreeMap::new()),
            failures: Mutex::new(HashMap::new()),
            calls: Mutex::new(Vec::new()),
        }
    }

    /// Stores parameters, each at version 1.
    pub fn with(self, params: &[(&str, &str)]) -> Self {
        if let Ok(mut map) = self.params.lock() {
            for (name, value) in params {
                map.insert(
                    name.to_string(),
                    Stored {
                        name: name.to_string(),
                        value: SecretValue::new(value.to_string()),
                        kind: Kind::SecureString,
                        description: None,
                        tier: Tier::Standard,
                        key_id: None,
                        tags: Vec::new(),
                        version: 1,
                    },
                );
            }
        }
        self
    }

    /// Makes `op` (`list_under`, `get_many`, `identity`, `describe`, `put`) fail.
    pub fn failing(self, op: &'static str, failure: Failure) -> Self {
        if let Ok(mut f) = self.failures.lock() {
            f.insert(op, failure);
        }
        self
    }

    /// The calls made, as `op arg`.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// A stored value and version, for assertions.
    pub fn get(&self, name: &str) -> Option<(String, i64)> {
        let map = self.params.lock().ok()?;
        map.get(name)
            .map(|p| (p.value.expose().to_string(), p.version))
    }

    /// Names beginning with `prefix` (a path prefix ends with `/`, so this serves both the
    /// path and the name-prefix lookups).
    fn names_starting(&self, op: &'static str, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.enter(op, prefix)?;
        let map = self.params.lock().map_err(|_| poisoned())?;
        Ok(map
            .keys()
            .filter(|n| n.starts_with(prefix))
            .cloned()
            .collect())
    }

    fn enter(&self, op: &'static str, arg: &str) -> Result<(), StoreError> {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(format!("{op} {arg}"));
        }
        match self
            .failures
            .lock()
            .ok()
            .and_then(|f| f.get(op).map(|f| f(arg)))
        {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }
}

impl SecretStore for MemoryStore {
    async fn warm_up(&self) {}

    async fn list_under(&self, prefix: &str) -> Result<Swept, StoreError> {
        self.enter("list_under", prefix)?;
        let map = self.params.lock().map_err(|_| poisoned())?;
        let params = map
            .iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|(name, p)| Parameter {
                name: name.clone(),
                value: p.value.clone(),
            })
            .collect();
        Ok(Swept {
            params,
            fell_back: false,
        })
    }

    async fn get_many(&self, names: &[String]) -> Result<Vec<Parameter>, StoreError> {
        self.enter("get_many", &names.join(","))?;
        let map = self.params.lock().map_err(|_| poisoned())?;
        Ok(names
            .iter()
            .filter_map(|n| {
                map.get(n).map(|p| Parameter {
                    name: n.clone(),
                    value: p.value.clone(),
                })
            })
            .collect())
    }

    async fn existing(
        &self,
        names: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        self.enter("existing", &names.join(","))?;
        let map = self.params.lock().map_err(|_| poisoned())?;
        Ok(names
            .iter()
            .filter(|n| map.contains_key(*n))
            .cloned()
            .collect())
    }

    async fn names_under(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.names_starting("names_under", prefix)
    }

    async fn identity(&self) -> Result<Identity, StoreError> {
        self.enter("identity", "")?;
        Ok(Identity {
            account: self.account.clone(),
            arn: format!("arn:aws:iam::{}:user/tester", self.account),
        })
    }

    async fn session(&self) -> Session {
        Session {
            profile: None,
            ignored_profile: None,
            env_keys: false,
            from_repo: false,
            region: "eu-west-1".into(),
            endpoint: "memory".into(),
            endpoint_source: "test".into(),
            source: "memory".into(),
            expires: None,
            expires_at: None,
        }
    }

    async fn describe(&self, name: &str) -> Result<Option<Existing>, StoreError> {
        self.enter("describe", name)?;
        let map = self.params.lock().map_err(|_| poisoned())?;
        Ok(map.get(name).map(|p| Existing {
            version: p.version,
            last_modified: None,
        }))
    }

    async fn put(&self, param: &NewParameter) -> Result<i64, StoreError> {
        self.enter("put", &param.name)?;
        let mut map = self.params.lock().map_err(|_| poisoned())?;
        let version = match map.get(&param.name) {
            Some(_) if !param.overwrite => {
                return Err(StoreError::AlreadyExists {
                    name: param.name.clone(),
                });
            }
            Some(p) => p.version + 1,
            None => 1,
        };
        map.insert(
            param.name.clone(),
            Stored {
                name: param.name.clone(),
                value: param.value.clone(),
                kind: param.kind,
                description: param.description.clone(),
                tier: param.tier,
                key_id: param.key_id.clone(),
                tags: param.tags.clone(),
                version,
            },
        );
        Ok(version)
    }

    async fn read_full(&self, names: &[String], tags: bool) -> Result<Vec<Stored>, StoreError> {
        self.enter("read_full", &names.join(","))?;
        let map = self.params.lock().map_err(|_| poisoned())?;
        Ok(names
            .iter()
            .filter_map(|n| map.get(n).cloned())
            .map(|mut p| {
                if !tags {
                    p.tags.clear();
                }
                p
            })
            .collect())
    }

    async fn names_beginning(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.names_starting("names_beginning", prefix)
    }

    async fn delete(&self, names: &[String]) -> Result<Deleted, StoreError> {
        self.enter("delete", &names.join(","))?;
        let mut map = self.params.lock().map_err(|_| poisoned())?;
        let mut done = Deleted::default();
        for n in names {
            match map.remove(n) {
                Some(_) => done.deleted.push(n.clone()),
                None => done.absent.push(n.clone()),
            }
        }
        Ok(done)
    }

    async fn history(&self, name: &str) -> Result<Option<Vec<Version>>, StoreError> {
        self.enter("history", name)?;
        let map = self.params.lock().map_err(|_| poisoned())?;
        Ok(map.get(name).map(|p| {
            (1..=p.version)
                .map(|version| Version {
                    version,
                    modified: None,
                    user: Some(format!("arn:aws:iam::{}:user/tester", self.account)),
                    labels: Vec::new(),
                    description: p.description.clone(),
                    kind: p.kind,
                    tier: p.tier,
                    key_id: p.key_id.clone(),
                })
                .collect()
        }))
    }
}

fn poisoned() -> StoreError {
    StoreError::Service {
        action: "memory",
        path: String::new(),
        code: "Poisoned".into(),
        message: "a test thread panicked".into(),
    }
}
