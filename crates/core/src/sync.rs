//! Data-sync configurations attached to a connection: automations and partner functions.
//!
//! They live and die with their connection: deleting the connection removes them all.
//!
//! Every field of their details is a validated type ([`Name`], [`Text`], [`ObjectMapping`]), so
//! details and patches are valid by construction and applying a patch cannot fail; and the
//! records a backend stores for a create are built here ([`Automation::new`],
//! [`PartnerFunction::new`]), so that no backend invents a default of its own.

use std::fmt;
use std::time::SystemTime;

use crate::id::{AutomationId, ConnectionId, PartnerFunctionId};
use crate::text::{Name, ObjectMapping, Partner, Text};

/// Whether an automation runs.
///
/// The API may grow new statuses; an unknown one is kept as [`Other`](Self::Other) rather than
/// failing the whole read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AutomationStatus {
    /// It runs (every automation starts so).
    Active,
    /// Stopped by a user.
    Inactive,
    /// A status this version does not know, as the API spelled it.
    Other(String),
}

impl AutomationStatus {
    /// Reads the API's spelling (case-insensitive); never fails.
    ///
    /// ```
    /// use exsited_core::AutomationStatus;
    ///
    /// assert_eq!(AutomationStatus::parse("active"), AutomationStatus::Active);
    /// assert_eq!(AutomationStatus::parse("INACTIVE").as_str(), "INACTIVE");
    /// ```
    pub fn parse(value: &str) -> Self {
        match value.to_ascii_uppercase().as_str() {
            "ACTIVE" => Self::Active,
            "INACTIVE" => Self::Inactive,
            _ => Self::Other(value.to_owned()),
        }
    }

    /// The API's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Active => "ACTIVE",
            Self::Inactive => "INACTIVE",
            Self::Other(other) => other,
        }
    }
}

impl fmt::Display for AutomationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule that moves data between Exsited and the partner on a schedule or an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Automation {
    /// The automation's id.
    pub id: AutomationId,
    /// The connection it belongs to.
    pub connection_id: ConnectionId,
    /// Whether it runs.
    pub status: AutomationStatus,
    /// The connection's partner (the API calls it `provider` here).
    pub partner: Partner,
    /// What it does.
    pub details: AutomationDetails,
}

impl Automation {
    /// The record a backend stores for a create: [`AutomationStatus::Active`], under the id the
    /// backend chose (a fresh [`AutomationId::random`]) and `connection`, whose partner is
    /// `partner`.
    pub fn new(
        id: AutomationId,
        connection: ConnectionId,
        partner: Partner,
        details: AutomationDetails,
    ) -> Self {
        Self {
            id,
            connection_id: connection,
            status: AutomationStatus::Active,
            partner,
            details,
        }
    }
}

/// The user-supplied part of an automation. Every field but `name` may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutomationDetails {
    /// Required.
    pub name: Name,
    /// Shown in the UI.
    pub display_name: Text,
    /// A short code.
    pub code: Text,
    /// Free text.
    pub description: Text,
    /// `INBOUND` or `OUTBOUND`, as the API spells it.
    pub direction: Text,
    /// The object type it applies to (`INVOICE`, `PAYMENT`...).
    pub applies_to: Text,
    /// The partner function it applies to.
    pub applies_to_function: Text,
    /// `EVENT`, `SCHEDULE`...
    pub automation_type: Text,
    /// When it checks (`DAILY`, `CUSTOM`...).
    pub check_on: Text,
    /// The day, for custom schedules.
    pub custom_day: Text,
    /// The time, for custom schedules.
    pub custom_time: Text,
    /// What it does when it fires.
    pub perform_action: Text,
    /// Extra conditions, in groups.
    pub criteria: Vec<CriteriaGroup>,
}

impl AutomationDetails {
    /// An automation called `name` with every other field empty.
    pub fn new(name: Name) -> Self {
        Self {
            name,
            display_name: Text::default(),
            code: Text::default(),
            description: Text::default(),
            direction: Text::default(),
            applies_to: Text::default(),
            applies_to_function: Text::default(),
            automation_type: Text::default(),
            check_on: Text::default(),
            custom_day: Text::default(),
            custom_time: Text::default(),
            perform_action: Text::default(),
            criteria: Vec::new(),
        }
    }

    /// Every optional text field with its API name, in the API's order: what a backend stores
    /// column by column and a wire format writes key by key.
    pub fn text_fields(&self) -> [(&'static str, &Text); 11] {
        [
            ("display_name", &self.display_name),
            ("code", &self.code),
            ("description", &self.description),
            ("direction", &self.direction),
            ("applies_to", &self.applies_to),
            ("applies_to_function", &self.applies_to_function),
            ("automation_type", &self.automation_type),
            ("check_on", &self.check_on),
            ("custom_day", &self.custom_day),
            ("custom_time", &self.custom_time),
            ("perform_action", &self.perform_action),
        ]
    }

    /// The text field the API calls `field`, for readers that fill the details field by field;
    /// `None` for a name that is not one of [`text_fields`](Self::text_fields).
    pub fn text_field_mut(&mut self, field: &str) -> Option<&mut Text> {
        Some(match field {
            "display_name" => &mut self.display_name,
            "code" => &mut self.code,
            "description" => &mut self.description,
            "direction" => &mut self.direction,
            "applies_to" => &mut self.applies_to,
            "applies_to_function" => &mut self.applies_to_function,
            "automation_type" => &mut self.automation_type,
            "check_on" => &mut self.check_on,
            "custom_day" => &mut self.custom_day,
            "custom_time" => &mut self.custom_time,
            "perform_action" => &mut self.perform_action,
            _ => return None,
        })
    }
}

/// A group of rules joined by `group_condition` (`AND`, `OR`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CriteriaGroup {
    /// How the rules combine.
    pub group_condition: Text,
    /// The rules.
    pub rules: Vec<CriteriaRule>,
}

/// One condition: `field_name operator value`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CriteriaRule {
    /// The field tested.
    pub field_name: Text,
    /// The comparison.
    pub operator: Text,
    /// The value compared against.
    pub value: Text,
    /// How it joins the next rule.
    pub condition: Text,
}

/// A partial update of an automation: `Some` fields replace, `None` fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutomationPatch {
    /// New name.
    pub name: Option<Name>,
    /// New display name.
    pub display_name: Option<Text>,
    /// New code.
    pub code: Option<Text>,
    /// New description.
    pub description: Option<Text>,
    /// New direction.
    pub direction: Option<Text>,
    /// New object type.
    pub applies_to: Option<Text>,
    /// New partner function.
    pub applies_to_function: Option<Text>,
    /// New type.
    pub automation_type: Option<Text>,
    /// New schedule.
    pub check_on: Option<Text>,
    /// New custom day.
    pub custom_day: Option<Text>,
    /// New custom time.
    pub custom_time: Option<Text>,
    /// New action.
    pub perform_action: Option<Text>,
    /// New criteria, replacing all the old ones.
    pub criteria: Option<Vec<CriteriaGroup>>,
}

impl AutomationPatch {
    /// `details` with the patch applied. Every value of a patch is valid, so this cannot fail.
    pub fn apply(&self, details: &AutomationDetails) -> AutomationDetails {
        let mut next = details.clone();
        if let Some(name) = &self.name {
            next.name = name.clone();
        }
        let pairs = [
            (&mut next.display_name, &self.display_name),
            (&mut next.code, &self.code),
            (&mut next.description, &self.description),
            (&mut next.direction, &self.direction),
            (&mut next.applies_to, &self.applies_to),
            (&mut next.applies_to_function, &self.applies_to_function),
            (&mut next.automation_type, &self.automation_type),
            (&mut next.check_on, &self.check_on),
            (&mut next.custom_day, &self.custom_day),
            (&mut next.custom_time, &self.custom_time),
            (&mut next.perform_action, &self.perform_action),
        ];
        for (slot, value) in pairs {
            if let Some(value) = value {
                slot.clone_from(value);
            }
        }
        if let Some(criteria) = &self.criteria {
            next.criteria.clone_from(criteria);
        }
        next
    }

    /// The patch that sets every field to what `details` has: the body of a create.
    pub fn replacing_with(details: &AutomationDetails) -> Self {
        Self {
            name: Some(details.name.clone()),
            display_name: Some(details.display_name.clone()),
            code: Some(details.code.clone()),
            description: Some(details.description.clone()),
            direction: Some(details.direction.clone()),
            applies_to: Some(details.applies_to.clone()),
            applies_to_function: Some(details.applies_to_function.clone()),
            automation_type: Some(details.automation_type.clone()),
            check_on: Some(details.check_on.clone()),
            custom_day: Some(details.custom_day.clone()),
            custom_time: Some(details.custom_time.clone()),
            perform_action: Some(details.perform_action.clone()),
            criteria: Some(details.criteria.clone()),
        }
    }
}

/// A mapping of one Exsited object to the partner's, run on an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFunction {
    /// The partner function's id.
    pub id: PartnerFunctionId,
    /// The connection it belongs to.
    pub connection_id: ConnectionId,
    /// Whether it runs; `true` when created.
    pub enabled: bool,
    /// The connection's partner (the API calls it `provider_name` here).
    pub partner: Partner,
    /// When it was created (RFC 3339, UTC).
    pub created: String,
    /// When it was last updated (RFC 3339, UTC).
    pub updated: String,
    /// What it does.
    pub details: PartnerFunctionDetails,
}

impl PartnerFunction {
    /// The record a backend stores for a create: enabled, created and updated `at`, under the id
    /// the backend chose (a fresh [`PartnerFunctionId::random`]) and `connection`, whose partner
    /// is `partner`.
    pub fn new(
        id: PartnerFunctionId,
        connection: ConnectionId,
        partner: Partner,
        details: PartnerFunctionDetails,
        at: SystemTime,
    ) -> Self {
        let stamp = crate::time::rfc3339(at);
        Self {
            id,
            connection_id: connection,
            enabled: true,
            partner,
            created: stamp.clone(),
            updated: stamp,
            details,
        }
    }

    /// Sets whether it runs, stamping the record as updated `at`.
    pub fn set_enabled(&mut self, enabled: bool, at: SystemTime) {
        self.enabled = enabled;
        self.updated = crate::time::rfc3339(at);
    }

    /// Applies `patch`, stamping the record as updated `at`.
    pub fn update(&mut self, patch: &PartnerFunctionPatch, at: SystemTime) {
        self.details = patch.apply(&self.details);
        self.updated = crate::time::rfc3339(at);
    }
}

/// The user-supplied part of a partner function. Every field but `name` may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFunctionDetails {
    /// Required.
    pub name: Name,
    /// `INBOUND` or `OUTBOUND`.
    pub direction: Text,
    /// Free text.
    pub description: Text,
    /// The Exsited object it maps.
    pub object_name: Text,
    /// The mapping document, as the API stores it (a string).
    pub object_mapping: ObjectMapping,
    /// The event that triggers it.
    pub event_name: Text,
    /// A label.
    pub tag: Text,
}

impl PartnerFunctionDetails {
    /// A partner function called `name` with every other field empty.
    pub fn new(name: Name) -> Self {
        Self {
            name,
            direction: Text::default(),
            description: Text::default(),
            object_name: Text::default(),
            object_mapping: ObjectMapping::default(),
            event_name: Text::default(),
            tag: Text::default(),
        }
    }
}

/// A partial update of a partner function: `Some` fields replace, `None` fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartnerFunctionPatch {
    /// New name.
    pub name: Option<Name>,
    /// New direction.
    pub direction: Option<Text>,
    /// New description.
    pub description: Option<Text>,
    /// New object name.
    pub object_name: Option<Text>,
    /// New mapping.
    pub object_mapping: Option<ObjectMapping>,
    /// New event.
    pub event_name: Option<Text>,
    /// New tag.
    pub tag: Option<Text>,
}

impl PartnerFunctionPatch {
    /// `details` with the patch applied. Every value of a patch is valid, so this cannot fail.
    pub fn apply(&self, details: &PartnerFunctionDetails) -> PartnerFunctionDetails {
        let mut next = details.clone();
        if let Some(name) = &self.name {
            next.name = name.clone();
        }
        if let Some(mapping) = &self.object_mapping {
            next.object_mapping = mapping.clone();
        }
        for (slot, value) in [
            (&mut next.direction, &self.direction),
            (&mut next.description, &self.description),
            (&mut next.object_name, &self.object_name),
            (&mut next.event_name, &self.event_name),
            (&mut next.tag, &self.tag),
        ] {
            if let Some(value) = value {
                slot.clone_from(value);
            }
        }
        next
    }

    /// The patch that sets every field to what `details` has: the body of a create.
    pub fn replacing_with(details: &PartnerFunctionDetails) -> Self {
        Self {
            name: Some(details.name.clone()),
            direction: Some(details.direction.clone()),
            description: Some(details.description.clone()),
            object_name: Some(details.object_name.clone()),
            object_mapping: Some(details.object_mapping.clone()),
            event_name: Some(details.event_name.clone()),
            tag: Some(details.tag.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn name(value: &str) -> Name {
        Name::new("name", value).unwrap()
    }

    #[test]
    fn records_are_built_with_the_api_defaults() {
        let connection = ConnectionId::random();
        let partner = Partner::new("xero").unwrap();
        let automation = Automation::new(
            AutomationId::random(),
            connection,
            partner.clone(),
            AutomationDetails::new(name("a")),
        );
        assert_eq!(automation.status, AutomationStatus::Active);
        assert_eq!(automation.connection_id, connection);
        let at = UNIX_EPOCH + Duration::from_secs(1_796_020_438);
        let mut function = PartnerFunction::new(
            PartnerFunctionId::random(),
            connection,
            partner,
            PartnerFunctionDetails::new(name("p")),
            at,
        );
        assert!(function.enabled);
        assert_eq!(
            (function.created.as_str(), function.updated.as_str()),
            ("2026-11-30T06:33:58Z", "2026-11-30T06:33:58Z")
        );
        let patch = PartnerFunctionPatch {
            tag: Some(Text::new("tag", "v2").unwrap()),
            ..Default::default()
        };
        function.update(&patch, at + Duration::from_secs(60));
        assert_eq!(function.details.tag, "v2");
        assert_eq!(function.created, "2026-11-30T06:33:58Z");
        assert_eq!(function.updated, "2026-11-30T06:34:58Z");
    }

    #[test]
    fn a_patch_replaces_only_what_it_sets() {
        let mut details = AutomationDetails::new(name("a"));
        details.code = Text::new("code", "C1").unwrap();
        let patch = AutomationPatch {
            description: Some(Text::new("description", "d").unwrap()),
            ..Default::default()
        };
        let next = patch.apply(&details);
        assert_eq!((next.code.as_str(), next.description.as_str()), ("C1", "d"));
        assert_eq!(AutomationPatch::replacing_with(&next).apply(&details), next);
        let fields: Vec<&str> = next.text_fields().iter().map(|(f, _)| *f).collect();
        let mut filled = AutomationDetails::new(name("b"));
        for field in fields {
            *filled.text_field_mut(field).unwrap() = Text::new(field, field).unwrap();
        }
        assert!(filled.text_fields().iter().all(|(f, v)| v.as_str() == *f));
        assert!(filled.text_field_mut("name").is_none());
    }

    #[test]
    fn unknown_statuses_are_kept() {
        assert_eq!(
            AutomationStatus::parse("Paused"),
            AutomationStatus::Other("Paused".into())
        );
        assert_eq!(
            AutomationStatus::parse("inactive"),
            AutomationStatus::Inactive
        );
    }
}
