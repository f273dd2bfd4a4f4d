//! API keys: created once and shown once, stored as a SHA-256 hash, checked in constant time.

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{Result, Store, StoreError};
use crate::model::tmx_now;

/// What a key may do. Each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

/// A key as the server knows it after checking (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub scope: Scope,
    /// The one memory the key is limited to, if any.
    pub memory: Option<String>,
}

const PREFIX_LEN: usize = 12;

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

impl Store {
    /// Creates a key and returns it: the only time the secret is seen.
    pub fn create_api_key(
        &self,
        name: &str,
        scope: Scope,
        memory: Option<&str>,
    ) -> Result<(ApiKey, String)> {
        if let Some(m) = memory {
            self.require_memory(m)?;
        }
        let mut random = [0u8; 24];
        getrandom::fill(&mut random)
            .map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
        let secret: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let key = format!("tmb_{secret}");
        self.conn.execute(
            "INSERT INTO api_key (prefix, hash, name, scope, memory, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                &key[..PREFIX_LEN],
                digest(&key).to_vec(),
                name,
                scope.as_str(),
                memory,
                tmx_now()
            ],
        )?;
        let id = self.conn.last_insert_rowid();
        Ok((ApiKey { id, name: name.to_string(), scope, memory: memory.map(str::to_string) }, key))
    }

    /// The key a caller presented, if it exists and is not revoked.
    pub fn check_api_key(&self, presented: &str) -> Result<Option<ApiKey>> {
        if presented.len() < PREFIX_LEN || !presented.is_char_boundary(PREFIX_LEN) {
            return Ok(None);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, hash, name, scope, memory FROM api_key
             WHERE prefix = ?1 AND revoked_at IS NULL",
        )?;
        let row = stmt
            .query_row([&presented[..PREFIX_LEN]], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .optional()?;
        let Some((id, hash, name, scope, memory)) = row else { return Ok(None) };
        if !bool::from(hash.as_slice().ct_eq(&digest(presented))) {
            return Ok(None);
        }
        let scope = Scope::parse(&scope)
            .ok_or_else(|| StoreError::Corrupt(format!("key {id} has scope {scope:?}")))?;
        Ok(Some(ApiKey { id, name, scope, memory }))
    }

    /// Every key (without secrets), for `tmbase keys list`.
    pub fn api_keys(&self) -> Result<Vec<(ApiKey, String, Option<String>)>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, scope, memory, created_at, revoked_at FROM api_key ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let scope: String = r.get(2)?;
            Ok((
                ApiKey {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    scope: Scope::parse(&scope).unwrap_or(Scope::Read),
                    memory: r.get(3)?,
                },
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Revokes a key by id; false when there is no such key.
    pub fn revoke_api_key(&self, id: i64) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE api_key SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, tmx_now()],
        )?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_by_hash_and_revocable() {
        let store = Store::open_in_memory().unwrap();
        let (made, secret) = store.create_api_key("ci", Scope::Write, None).unwrap();
        assert!(secret.starts_with("tmb_") && secret.len() == 52);
        assert_eq!(store.check_api_key(&secret).unwrap(), Some(made.clone()));
        let mut wrong = secret.clone();
        wrong.pop();
        wrong.push(if secret.ends_with('0') { '1' } else { '0' });
        assert_eq!(store.check_api_key(&wrong).unwrap(), None);
        assert_eq!(store.check_api_key("short").unwrap(), None);
        assert_eq!(store.check_api_key("").unwrap(), None);
        assert!(store.revoke_api_key(made.id).unwrap());
        assert_eq!(store.check_api_key(&secret).unwrap(), None);
        let stored: Vec<u8> =
            store.conn.query_row("SELECT hash FROM api_key", [], |r| r.get(0)).unwrap();
        assert!(
            !String::from_utf8_lossy(&stored).contains(&secret[4..]),
            "the secret is not stored"
        );
    }
}
