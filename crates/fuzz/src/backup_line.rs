//! A line of the backup file that `exsited connections restore` reads
//! (`exsited_cli::backup_file`), and the requests the restore makes of it.

use exsited_cli::backup_file::{BackupRecord, invalid_line};
use exsited_core::Error;
use exsited_spec::schema::Described;
use exsited_spec::validate;
use exsited_spec::{
    AutomationCreateRequest, CreateConnectionRequest, PartnerFunctionCreateRequest, convert,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::planted::{MARK, Where, assert_bounded, assert_clean, plant, unmarked};

/// Reads `data` as one line of a backup file, as it is and with a secret planted in every
/// secret field of the connection, and checks:
///
/// - a refused line, and a record whose values are not valid, give an error bounded in length
///   that quotes no planted secret, and the record's `Debug` shows none either;
/// - a record that reads into domain values is written by `delete --backup` as one line that
///   reads back into the same values;
/// - every request the restore sends for it (the connection, each automation, each partner
///   function) is a body the server accepts, and reads back as what was sent; a connection the
///   restore cannot create again is refused with an `InvalidInput` that quotes no secret.
///
/// Bytes that are not UTF-8 are not read: the restore stops at such a line before parsing it.
pub fn backup_line(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let marked = !unmarked(data);
    read(line.trim(), marked);
    if let Ok(mut value) = serde_json::from_str::<Value>(line) {
        plant(&mut value, Where::SecretFields);
        let planted = serde_json::to_string(&value).expect("a JSON value serializes");
        read(&planted, marked);
    }
}

/// The checks on one line; `marked` when the input held the mark before it was planted, so
/// that an echoed id may hold it by design.
fn read(line: &str, marked: bool) {
    let check = |what: &str, text: &str| {
        if marked {
            assert_bounded(what, text, crate::MAX_ERROR_BYTES);
        } else {
            assert_clean(what, text, crate::MAX_ERROR_BYTES);
        }
    };
    let record = match BackupRecord::parse(line) {
        Ok(record) => record,
        Err(reason) => {
            check("a backup line error", &reason);
            check(
                "a backup line error",
                &invalid_line(u64::MAX, reason).to_string(),
            );
            return;
        }
    };
    if !marked {
        assert!(!format!("{record:?}").contains(MARK), "a record's Debug");
    }
    let full = match record.into_full() {
        Ok(full) => full,
        Err(error) => {
            check("a backup record error", &error.to_string());
            check("the Debug of a backup record error", &format!("{error:?}"));
            return;
        }
    };
    if !marked {
        assert!(!format!("{full:?}").contains(MARK), "a connection's Debug");
    }
    let written = serde_json::to_string(&BackupRecord::new(&full)).expect("a record serializes");
    assert!(!written.contains('\n'), "a record is one line");
    let back = BackupRecord::parse(&written)
        .and_then(|r| r.into_full().map_err(|e| e.to_string()))
        .unwrap_or_else(|e| panic!("a line delete --backup wrote is refused: {e}"));
    assert_eq!(back, full, "a record written and read again");

    match full.new_connection() {
        Ok(new) => {
            let sent: CreateConnectionRequest = accepted(&convert::new_connection_to_wire(&new));
            let received = convert::new_connection_from_wire(sent)
                .unwrap_or_else(|e| panic!("the connection restore sends does not convert: {e}"));
            assert_eq!(received, new);
        }
        Err(error) => {
            assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
            check("a restore error", &error.to_string());
        }
    }
    for automation in &full.automations {
        let sent: AutomationCreateRequest =
            accepted(&convert::automation_create_to_wire(&automation.details));
        let received = convert::automation_create_from_wire(sent)
            .unwrap_or_else(|e| panic!("an automation restore sends does not convert: {e}"));
        assert_eq!(received, automation.details);
    }
    for function in &full.partner_functions {
        let sent: PartnerFunctionCreateRequest =
            accepted(&convert::partner_function_create_to_wire(&function.details));
        let received = convert::partner_function_create_from_wire(sent)
            .unwrap_or_else(|e| panic!("a partner function restore sends does not convert: {e}"));
        assert_eq!(received, function.details);
    }
}

/// `body` as the server reads it; panics when the server would refuse it.
fn accepted<W: Serialize + Described + DeserializeOwned>(body: &W) -> W {
    let json = serde_json::to_vec(body).expect("a wire value serializes");
    validate::from_slice::<W>(&json).unwrap_or_else(|e| {
        panic!(
            "the server refuses the {} a restore sends: {e}",
            W::schema().name
        )
    })
}
