//! The backup file: one JSON line per deleted connection, with everything needed to create it
//! again: the connection record (partner secrets included), all its automations (each with its
//! `status`), all its partner functions (each with its `enabled`), each in the API's wire shape,
//! and its configuration document.
//!
//! ```text
//! {"format":"exsited-connection-backup","version":2,"backed_up_at":"2026-11-30T06:33:58Z",
//!  "connection":{"uuid":"...","status":"ACTIVE","integration_partner":"XERO",...},
//!  "automations":[{"uuid":"...","name":"...","status":"INACTIVE",...}],
//!  "partner_functions":[{"uuid":"...","enabled":false,...}],
//!  "configuration":{"account":{...},"item":{},"transaction":{...},"purchase":{}}}
//! ```
//! (one line in the file; wrapped here). Writing it is `delete --backup`; reading it is
//! `restore`. Version 1 lines, written before the configuration was backed up, have no
//! `configuration` and are still read: their connections come back with an empty one.

use std::future::Future;

use exsited_core::configuration::Configuration;
use exsited_core::{
    Automation, Connection, ConnectionId, ConnectionRepository, Error, ListQuery, MAX_LIMIT,
    NewConnection, Page, PartnerFunction, Result,
};
use exsited_spec::{configuration, convert};
use serde::{Deserialize, Serialize};

/// The value of `format` in every line.
pub const FORMAT: &str = "exsited-connection-backup";
/// The version of the line layout this tool writes.
pub const VERSION: u32 = 2;
/// The versions this tool reads: 1 lacks the configuration.
const READS: [u32; 2] = [1, VERSION];

/// One line of a backup file.
#[derive(Debug, Serialize, Deserialize)]
pub struct BackupRecord {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written; any of [`READS`] when read.
    pub version: u32,
    /// When the line was written (RFC 3339, UTC).
    pub backed_up_at: String,
    /// The connection record, secrets included.
    pub connection: exsited_spec::Connection,
    /// Every automation, in the API's order.
    pub automations: Vec<exsited_spec::Automation>,
    /// Every partner function, in the API's order.
    pub partner_functions: Vec<exsited_spec::PartnerFunction>,
    /// The configuration document (version 2); absent from version 1 lines, read as empty.
    #[serde(default)]
    pub configuration: exsited_spec::ConfigurationDocument,
}

/// A connection with all its sync configurations, read through a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullConnection {
    /// The connection, partner secrets included.
    pub connection: Connection,
    /// Every automation, in the API's order.
    pub automations: Vec<Automation>,
    /// Every partner function, in the API's order.
    pub partner_functions: Vec<PartnerFunction>,
    /// Its configuration document.
    pub configuration: Configuration,
}

impl FullConnection {
    /// Reads the connection, then all pages of its automations and partner functions, then its
    /// configuration.
    pub async fn fetch(
        repo: &(impl ConnectionRepository + ?Sized),
        id: ConnectionId,
    ) -> Result<Self> {
        let connection = repo.get(id).await?;
        let automations = all_pages(|q| async move { repo.list_automations(id, &q).await }).await?;
        let partner_functions =
            all_pages(|q| async move { repo.list_partner_functions(id, &q).await }).await?;
        let configuration = repo.get_configuration(id).await?;
        Ok(Self {
            connection,
            automations,
            partner_functions,
            configuration,
        })
    }

    /// What it takes to create the connection again (a new id will be assigned).
    pub fn new_connection(&self) -> Result<NewConnection> {
        let c = &self.connection;
        NewConnection::new(c.partner.clone(), &c.remote_instance.id)?
            .with_remote_instance_name(&c.remote_instance.name)?
            .with_credentials(c.credentials.clone())
    }
}

/// Every item of a list, page after page of the largest size; stops at the end, on an empty
/// page, and on a page that repeats the previous one (a server that ignores `offset`).
async fn all_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>>
where
    T: PartialEq,
    F: FnMut(ListQuery) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let mut query = ListQuery::new(i64::from(MAX_LIMIT), 0)?;
    let mut items: Vec<T> = Vec::new();
    let mut previous = 0;
    loop {
        let page = fetch(query).await?;
        let repeated = previous > 0 && items[items.len() - previous..] == page.items[..];
        if page.items.is_empty() || repeated {
            return Ok(items);
        }
        let next = page.next_offset();
        previous = page.items.len();
        items.extend(page.items);
        match next {
            Some(offset) => query = query.at_offset(offset),
            None => return Ok(items),
        }
    }
}

impl BackupRecord {
    /// The line for a connection about to be deleted.
    pub fn new(full: &FullConnection) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            backed_up_at: exsited_core::time::rfc3339(std::time::SystemTime::now()),
            connection: convert::connection_to_wire(&full.connection),
            automations: full
                .automations
                .iter()
                .map(convert::automation_to_wire)
                .collect(),
            partner_functions: full
                .partner_functions
                .iter()
                .map(convert::partner_function_to_wire)
                .collect(),
            configuration: configuration::to_wire(&full.configuration),
        }
    }

    /// Reads one line; the error says what is wrong without repeating the line (it holds
    /// secrets).
    pub fn parse(line: &str) -> std::result::Result<Self, String> {
        // serde_json's messages can quote a value (a secret): say only where and what kind.
        let record: Self = serde_json::from_str(line).map_err(|e| {
            format!(
                "not a backup record ({:?} error at column {})",
                e.classify(),
                e.column()
            )
        })?;
        if record.format != FORMAT {
            return Err(format!("not a backup record (format is not {FORMAT:?})"));
        }
        if !READS.contains(&record.version) {
            return Err(format!(
                "backup record version {} is not supported (this tool reads versions 1 to {VERSION})",
                record.version
            ));
        }
        Ok(record)
    }

    /// The domain values, checked as strictly as the API checks them.
    pub fn into_full(self) -> Result<FullConnection> {
        let connection = convert::connection_from_wire(self.connection)?;
        let id = connection.id;
        let automations = self
            .automations
            .into_iter()
            .map(|w| convert::automation_from_wire(w, id))
            .collect::<Result<Vec<_>>>()?;
        let partner_functions = self
            .partner_functions
            .into_iter()
            .map(|w| convert::partner_function_from_wire(w, id))
            .collect::<Result<Vec<_>>>()?;
        let configuration = configuration::from_wire(self.configuration)?;
        Ok(FullConnection {
            connection,
            automations,
            partner_functions,
            configuration,
        })
    }
}

/// The error for a line that did not parse, as a repository error for uniform reporting.
pub fn invalid_line(number: u64, reason: String) -> Error {
    Error::invalid_input(format!("line {number}"), reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use exsited_core::configuration::{ConfigurationPatch, PatchValue, Section};
    use exsited_core::{
        AutomationDetails, AutomationStatus, MemoryStore, Name, Partner, PartnerCredentials,
        PartnerFunctionDetails, SecretString, TenantId,
    };
    use futures_util::FutureExt;

    #[test]
    fn a_record_round_trips_with_its_secrets_and_every_page() {
        let repo = MemoryStore::new().repository(TenantId::new("t").unwrap());
        let full = async {
            let new = NewConnection::new(Partner::new("xero")?, "org-1")?.with_credentials(
                PartnerCredentials {
                    client_id: "cid".into(),
                    client_secret: SecretString::new("the-secret"),
                    ..Default::default()
                },
            )?;
            let conn = repo.create(new).await?;
            for i in 0..150 {
                let name = Name::new("name", &format!("rule {i}"))?;
                repo.create_automation(conn.id, AutomationDetails::new(name))
                    .await?;
            }
            let name = Name::new("name", "map invoices")?;
            let function = repo
                .create_partner_function(conn.id, PartnerFunctionDetails::new(name))
                .await?;
            repo.disable_partner_function(conn.id, function.id).await?;
            let first = repo
                .list_automations(conn.id, &ListQuery::default())
                .await?;
            repo.disable_automation(conn.id, first.items[0].id).await?;
            repo.update_configuration(conn.id, item_sync()).await?;
            FullConnection::fetch(&repo, conn.id).await
        }
        .now_or_never()
        .unwrap()
        .unwrap();
        assert_eq!(full.automations.len(), 150);
        assert_eq!(full.automations[0].status, AutomationStatus::Inactive);
        assert!(!full.partner_functions[0].enabled);
        assert!(!full.configuration.is_empty());

        let line = serde_json::to_string(&BackupRecord::new(&full)).unwrap();
        assert!(!line.contains('\n'));
        assert!(line.contains("the-secret"), "a backup keeps the secrets");
        let back = BackupRecord::parse(&line).unwrap().into_full().unwrap();
        assert_eq!(back, full);
        assert_eq!(
            back.new_connection()
                .unwrap()
                .credentials()
                .client_secret
                .expose(),
            "the-secret"
        );
    }

    /// `item.sync = "true"`.
    fn item_sync() -> ConfigurationPatch {
        ConfigurationPatch::new([(
            Section::Item,
            PatchValue::Map([("sync".to_owned(), PatchValue::Text("true".into()))].into()),
        )])
        .unwrap()
    }

    #[test]
    fn a_version_1_line_is_read_with_an_empty_configuration() {
        let id = ConnectionId::random();
        let line = format!(
            r#"{{"format":"exsited-connection-backup","version":1,"backed_up_at":"2026-11-30T06:33:58Z",
               "connection":{{"uuid":"{id}","status":"INACTIVE","integration_partner":"XERO","remote_instance_id":"org"}},
               "automations":[{{"uuid":"{}","name":"rule","status":"INACTIVE","provider":"XERO"}}],
               "partner_functions":[{{"uuid":"{}","name":"map","enabled":false,"provider_name":"XERO"}}]}}"#,
            ConnectionId::random(),
            ConnectionId::random()
        )
        .replace('\n', "");
        let full = BackupRecord::parse(&line).unwrap().into_full().unwrap();
        assert!(full.configuration.is_empty());
        assert_eq!(full.automations[0].status, AutomationStatus::Inactive);
        assert!(!full.partner_functions[0].enabled);
        let newer = line.replace(r#""version":1"#, r#""version":3"#);
        let err = BackupRecord::parse(&newer).unwrap_err();
        assert!(err.contains("version 3"), "{err}");
    }

    #[test]
    fn foreign_lines_are_refused_without_echoing_them() {
        let err = BackupRecord::parse(r#"{"client_secret":"s3cr3t"}"#).unwrap_err();
        assert!(!err.contains("s3cr3t"), "{err}");
        let err = BackupRecord::parse(
            r#"{"format":"other","version":1,"backed_up_at":"","connection":{"uuid":""},"automations":[],"partner_functions":[]}"#,
        )
        .unwrap_err();
        assert!(err.contains("format"), "{err}");
    }
}
