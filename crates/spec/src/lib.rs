//! The OpenAPI document of the Exsited integration-connection API and the wire types generated
//! from it.
