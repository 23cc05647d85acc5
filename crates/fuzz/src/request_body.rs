//! The request bodies of the routes that take one (the token request has a target of its own):
//! `exsited_spec::validate` against the operation's request schema, then
//! `exsited_spec::convert` to the domain value, as the server reads them.

use std::fmt::Debug;

use exsited_core::configuration::ConfigurationPatch;
use exsited_core::{
    AutomationDetails, AutomationPatch, Error, NewConnection, PartnerFunctionDetails,
    PartnerFunctionPatch,
};
use exsited_spec::schema::Described;
use exsited_spec::validate::{self, BodyError};
use exsited_spec::{
    AutomationCreateRequest, AutomationRequest, ConfigurationRequest, CreateConnectionRequest,
    PartnerFunctionCreateRequest, PartnerFunctionRequest, convert,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::planted::{Where, assert_bounded_error, assert_clean_error, plant, unmarked};

/// One request body the target reads: the name of its schema in the document, and the check
/// of one body.
#[derive(Debug, Clone, Copy)]
pub struct RequestBody {
    /// The schema's name in `components/schemas`.
    pub schema: &'static str,
    check: fn(&[u8]),
}

/// The bodies, in the order the first byte of an input selects them (`'0'` is the first).
pub const REQUEST_BODIES: &[RequestBody] = &[
    RequestBody {
        schema: "CreateConnectionRequest",
        check: body::<CreateConnectionRequest>,
    },
    RequestBody {
        schema: "AutomationCreateRequest",
        check: body::<AutomationCreateRequest>,
    },
    RequestBody {
        schema: "AutomationRequest",
        check: body::<AutomationRequest>,
    },
    RequestBody {
        schema: "PartnerFunctionCreateRequest",
        check: body::<PartnerFunctionCreateRequest>,
    },
    RequestBody {
        schema: "PartnerFunctionRequest",
        check: body::<PartnerFunctionRequest>,
    },
    RequestBody {
        schema: "ConfigurationRequest",
        check: body::<ConfigurationRequest>,
    },
];

/// Reads the rest of `data` as the body its first byte selects from [`REQUEST_BODIES`] (`'0'`
/// the first, wrapping), as it is and with a secret planted first in every secret field, then
/// in every string, and checks:
///
/// - a refused body is refused for what it is, never as the generator bug `Mismatch`, with an
///   error bounded in length that quotes no planted value;
/// - an accepted body deserializes into its wire type, whose own JSON is accepted again as the
///   same value;
/// - a value that converts to the domain is sent by a client as a body (the `*_to_wire`
///   direction) that is accepted and converts back to the same domain value; one that does not
///   convert is an `InvalidInput`, bounded, quoting no planted value.
pub fn request_body(data: &[u8]) {
    let Some((first, body)) = data.split_first() else {
        return;
    };
    let index = usize::from(first.wrapping_sub(b'0')) % REQUEST_BODIES.len();
    (REQUEST_BODIES[index].check)(body);
}

/// A request body's wire type and the domain value the server makes of it.
trait Body: Described + DeserializeOwned + Serialize + PartialEq + Debug {
    type Domain: PartialEq + Debug;
    fn to_domain(self) -> Result<Self::Domain, Error>;
    fn from_domain(domain: &Self::Domain) -> Self;
}

impl Body for CreateConnectionRequest {
    type Domain = NewConnection;
    fn to_domain(self) -> Result<NewConnection, Error> {
        convert::new_connection_from_wire(self)
    }
    fn from_domain(domain: &NewConnection) -> Self {
        convert::new_connection_to_wire(domain)
    }
}

impl Body for AutomationCreateRequest {
    type Domain = AutomationDetails;
    fn to_domain(self) -> Result<AutomationDetails, Error> {
        convert::automation_create_from_wire(self)
    }
    fn from_domain(domain: &AutomationDetails) -> Self {
        convert::automation_create_to_wire(domain)
    }
}

impl Body for AutomationRequest {
    type Domain = AutomationPatch;
    fn to_domain(self) -> Result<AutomationPatch, Error> {
        convert::automation_patch_from_wire(self)
    }
    fn from_domain(domain: &AutomationPatch) -> Self {
        convert::automation_patch_to_wire(domain)
    }
}

impl Body for PartnerFunctionCreateRequest {
    type Domain = PartnerFunctionDetails;
    fn to_domain(self) -> Result<PartnerFunctionDetails, Error> {
        convert::partner_function_create_from_wire(self)
    }
    fn from_domain(domain: &PartnerFunctionDetails) -> Self {
        convert::partner_function_create_to_wire(domain)
    }
}

impl Body for PartnerFunctionRequest {
    type Domain = PartnerFunctionPatch;
    fn to_domain(self) -> Result<PartnerFunctionPatch, Error> {
        convert::partner_function_patch_from_wire(self)
    }
    fn from_domain(domain: &PartnerFunctionPatch) -> Self {
        convert::partner_function_patch_to_wire(domain)
    }
}

impl Body for ConfigurationRequest {
    type Domain = ConfigurationPatch;
    fn to_domain(self) -> Result<ConfigurationPatch, Error> {
        exsited_spec::configuration::patch_from_wire(self)
    }
    fn from_domain(domain: &ConfigurationPatch) -> Self {
        exsited_spec::configuration::patch_to_wire(domain)
    }
}

fn body<W: Body>(data: &[u8]) {
    // An input that holds the mark already (in a key, say, which errors name by design) says
    // nothing about quoted values: the other properties are still checked.
    let clean = unmarked(data);
    read::<W>(data, clean);
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        for at in [Where::SecretFields, Where::EveryString] {
            let mut planted = value.clone();
            plant(&mut planted, at);
            read::<W>(
                &serde_json::to_vec(&planted).expect("a JSON value serializes"),
                clean,
            );
        }
    }
}

/// Reads `body` and checks its properties; `clean`: whether an error quoting the mark means a
/// value was quoted (see [`body`]).
fn read<W: Body>(body: &[u8], clean: bool) {
    let name = W::schema().name;
    let wire = match validate::from_slice::<W>(body) {
        Ok(wire) => wire,
        Err(error) => {
            assert!(
                !matches!(error, BodyError::Mismatch { .. }),
                "{name}: a body that matches the schema does not fit the wire type"
            );
            if clean {
                assert_clean_error("a body error", &error);
            } else {
                assert_bounded_error("a body error", &error);
            }
            return;
        }
    };
    let json = serde_json::to_vec(&wire).expect("a wire value serializes");
    let again = validate::from_slice::<W>(&json)
        .unwrap_or_else(|e| panic!("{name}: the JSON of an accepted body is refused: {e}"));
    assert_eq!(again, wire, "{name}: the JSON of an accepted body");
    let domain = match wire.to_domain() {
        Ok(domain) => domain,
        Err(error) => {
            assert!(
                matches!(error, Error::InvalidInput { .. }),
                "{name}: {error:?}"
            );
            if clean {
                assert_clean_error("a domain error", &error);
            } else {
                assert_bounded_error("a domain error", &error);
            }
            return;
        }
    };
    let sent = serde_json::to_vec(&W::from_domain(&domain)).expect("a wire value serializes");
    let received = validate::from_slice::<W>(&sent).unwrap_or_else(|e| {
        panic!("{name}: the body a client sends for an accepted value is refused: {e}")
    });
    let back = received
        .to_domain()
        .unwrap_or_else(|e| panic!("{name}: the body a client sends does not convert: {e}"));
    assert_eq!(back, domain, "{name}: a value sent and read again");
}
