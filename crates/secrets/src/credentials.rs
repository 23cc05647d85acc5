//! A connection's partner credentials sealed for its row: the three secret columns every store
//! keeps, bound to the store's `connections` table, their column and the connection's id.
//!
//! Every store seals and opens them through these two functions, so the bindings (and so the
//! stored bytes' meaning) are the same in SQLite and PostgreSQL.

use exsited_core::{ConnectionId, PartnerCredentials, SecretString};

use crate::seal::{Binding, Sealer, UnsealError};

/// The secret columns of a connection, in the order [`seal_credentials`] returns them.
pub const SEALED_COLUMNS: [&str; 3] = ["client_secret", "access_token", "refresh_token"];

/// Where a connection's secret of `column` is bound: its table, column and id.
fn binding<'a>(column: &'a str, id: &'a str) -> Binding<'a> {
    Binding::new("connections", column, id)
}

/// A connection's partner secrets, sealed for its row: client secret, access and refresh token.
pub fn seal_credentials(
    sealer: &Sealer,
    id: ConnectionId,
    credentials: &PartnerCredentials,
) -> [Vec<u8>; 3] {
    let id = id.to_string();
    let values = [
        &credentials.client_secret,
        &credentials.access_token,
        &credentials.refresh_token,
    ];
    std::array::from_fn(|i| sealer.seal(values[i], &binding(SEALED_COLUMNS[i], &id)))
}

/// The three secrets of connection `id` from their sealed columns, in [`SEALED_COLUMNS`] order.
pub fn open_credentials(
    sealer: &Sealer,
    id: ConnectionId,
    sealed: [&[u8]; 3],
) -> Result<[SecretString; 3], UnsealError> {
    let id = id.to_string();
    let [a, b, c] = sealed;
    Ok([
        sealer.open(a, &binding(SEALED_COLUMNS[0], &id))?,
        sealer.open(b, &binding(SEALED_COLUMNS[1], &id))?,
        sealer.open(c, &binding(SEALED_COLUMNS[2], &id))?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretKey;

    #[test]
    fn credentials_open_for_their_row_only() {
        let sealer = Sealer::new(&SecretKey::generate());
        let id = ConnectionId::random();
        let credentials = PartnerCredentials {
            client_id: "cid".into(),
            client_secret: SecretString::new("cs"),
            access_token: SecretString::new("at"),
            refresh_token: SecretString::new("rt"),
        };
        let sealed = seal_credentials(&sealer, id, &credentials);
        let [a, b, c] =
            open_credentials(&sealer, id, [&sealed[0], &sealed[1], &sealed[2]]).unwrap();
        assert_eq!((a.expose(), b.expose(), c.expose()), ("cs", "at", "rt"));
        assert!(
            open_credentials(
                &sealer,
                ConnectionId::random(),
                [&sealed[0], &sealed[1], &sealed[2]]
            )
            .is_err()
        );
        assert!(
            open_credentials(&sealer, id, [&sealed[1], &sealed[0], &sealed[2]]).is_err(),
            "columns are bound"
        );
    }
}
