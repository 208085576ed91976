//! An in-memory `SecretStore` for in-process tests of the commands' decisions: it keeps
//! parameters in a map, records every call, and fails the operations it is told to.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use super::{SecretStore, StoreError};
use crate::model::{Existing, Identity, NewParameter, Parameter, SecretValue, Session};

/// Makes the error an operation fails with (StoreError is not `Clone`).
pub type Failure = Box<dyn Fn(&str) -> StoreError + Send + Sync>;

/// One account's parameters.
pub struct MemoryStore {
    account: String,
    params: Mutex<BTreeMap<String, (SecretValue, i64)>>,
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
                map.insert(name.to_string(), (SecretValue::new(value.to_string()), 1));
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
        map.get(name).map(|(v, n)| (v.expose().to_string(), *n))
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

    async fn list_under(&self, prefix: &str) -> Result<Vec<Parameter>, StoreError> {
        self.enter("list_under", prefix)?;
        let map = self.params.lock().map_err(|_| poisoned())?;
        Ok(map
            .iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|(name, (value, _))| Parameter {
                name: name.clone(),
                value: value.clone(),
            })
            .collect())
    }

    async fn get_many(&self, names: &[String]) -> Result<Vec<Parameter>, StoreError> {
        self.enter("get_many", &names.join(","))?;
        let map = self.params.lock().map_err(|_| poisoned())?;
        Ok(names
            .iter()
            .filter_map(|n| {
                map.get(n).map(|(value, _)| Parameter {
                    name: n.clone(),
                    value: value.clone(),
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
        self.enter("names_under", prefix)?;
        let map = self.params.lock().map_err(|_| poisoned())?;
        Ok(map
            .keys()
            .filter(|n| n.starts_with(prefix))
            .cloned()
            .collect())
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
        Ok(map.get(name).map(|(_, version)| Existing {
            version: *version,
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
            Some((_, v)) => v + 1,
            None => 1,
        };
        map.insert(param.name.clone(), (param.value.clone(), version));
        Ok(version)
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
