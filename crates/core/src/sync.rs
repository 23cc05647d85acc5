//! Data-sync configurations attached to a connection: automations and partner functions.
//!
//! They live and die with their connection: deleting the connection removes them all.

use crate::error::Error;
use crate::id::{AutomationId, ConnectionId, PartnerFunctionId};
use crate::text::{Name, Partner, check_text};

/// A rule that moves data between Exsited and the partner on a schedule or an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Automation {
    /// The automation's id.
    pub id: AutomationId,
    /// The connection it belongs to.
    pub connection_id: ConnectionId,
    /// `ACTIVE` when created.
    pub status: String,
    /// The connection's partner.
    pub provider: Partner,
    /// What it does.
    pub details: AutomationDetails,
}

/// The user-supplied part of an automation. Every field but `name` may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutomationDetails {
    /// Required.
    pub name: Name,
    /// Shown in the UI.
    pub display_name: String,
    /// A short code.
    pub code: String,
    /// Free text.
    pub description: String,
    /// `INBOUND` or `OUTBOUND`, as the API spells it.
    pub direction: String,
    /// The object type it applies to (`INVOICE`, `PAYMENT`...).
    pub applies_to: String,
    /// The partner function it applies to.
    pub applies_to_function: String,
    /// `EVENT`, `SCHEDULE`...
    pub automation_type: String,
    /// When it checks (`DAILY`, `CUSTOM`...).
    pub check_on: String,
    /// The day, for custom schedules.
    pub custom_day: String,
    /// The time, for custom schedules.
    pub custom_time: String,
    /// What it does when it fires.
    pub perform_action: String,
    /// Extra conditions, in groups.
    pub criteria: Vec<CriteriaGroup>,
}

impl AutomationDetails {
    /// An automation called `name` with every other field empty.
    pub fn new(name: Name) -> Self {
        Self {
            name,
            display_name: String::new(),
            code: String::new(),
            description: String::new(),
            direction: String::new(),
            applies_to: String::new(),
            applies_to_function: String::new(),
            automation_type: String::new(),
            check_on: String::new(),
            custom_day: String::new(),
            custom_time: String::new(),
            perform_action: String::new(),
            criteria: Vec::new(),
        }
    }

    /// Checks every free-text field; `name` was checked when it was made.
    pub fn validate(&self) -> Result<(), Error> {
        for (field, value) in self.text_fields() {
            check_text(field, value)?;
        }
        for group in &self.criteria {
            group.validate()?;
        }
        Ok(())
    }

    fn text_fields(&self) -> [(&'static str, &str); 11] {
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
}

/// A group of rules joined by `group_condition` (`AND`, `OR`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CriteriaGroup {
    /// How the rules combine.
    pub group_condition: String,
    /// The rules.
    pub rules: Vec<CriteriaRule>,
}

impl CriteriaGroup {
    fn validate(&self) -> Result<(), Error> {
        check_text("group_condition", &self.group_condition)?;
        for rule in &self.rules {
            for (field, value) in [
                ("field_name", &rule.field_name),
                ("operator", &rule.operator),
                ("value", &rule.value),
                ("condition", &rule.condition),
            ] {
                check_text(field, value)?;
            }
        }
        Ok(())
    }
}

/// One condition: `field_name operator value`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CriteriaRule {
    /// The field tested.
    pub field_name: String,
    /// The comparison.
    pub operator: String,
    /// The value compared against.
    pub value: String,
    /// How it joins the next rule.
    pub condition: String,
}

/// A partial update of an automation: `Some` fields replace, `None` fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutomationPatch {
    /// New name.
    pub name: Option<Name>,
    /// New display name.
    pub display_name: Option<String>,
    /// New code.
    pub code: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New direction.
    pub direction: Option<String>,
    /// New object type.
    pub applies_to: Option<String>,
    /// New partner function.
    pub applies_to_function: Option<String>,
    /// New type.
    pub automation_type: Option<String>,
    /// New schedule.
    pub check_on: Option<String>,
    /// New custom day.
    pub custom_day: Option<String>,
    /// New custom time.
    pub custom_time: Option<String>,
    /// New action.
    pub perform_action: Option<String>,
    /// New criteria, replacing all the old ones.
    pub criteria: Option<Vec<CriteriaGroup>>,
}

impl AutomationPatch {
    /// Applies the patch to a copy of `details` and checks the result, so that a rejected
    /// patch changes nothing.
    pub fn apply(&self, details: &AutomationDetails) -> Result<AutomationDetails, Error> {
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
        next.validate()?;
        Ok(next)
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
    /// The connection's partner.
    pub provider_name: Partner,
    /// When it was created (RFC 3339, UTC).
    pub created: String,
    /// When it was last updated (RFC 3339, UTC).
    pub updated: String,
    /// What it does.
    pub details: PartnerFunctionDetails,
}

/// The user-supplied part of a partner function. Every field but `name` may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFunctionDetails {
    /// Required.
    pub name: Name,
    /// `INBOUND` or `OUTBOUND`.
    pub direction: String,
    /// Free text.
    pub description: String,
    /// The Exsited object it maps.
    pub object_name: String,
    /// The mapping document, as the API stores it (a string).
    pub object_mapping: String,
    /// The event that triggers it.
    pub event_name: String,
    /// A label.
    pub tag: String,
}

/// The longest `object_mapping` accepted; mappings are JSON documents, larger than names.
pub const MAX_OBJECT_MAPPING_CHARS: usize = 65_536;

impl PartnerFunctionDetails {
    /// A partner function called `name` with every other field empty.
    pub fn new(name: Name) -> Self {
        Self {
            name,
            direction: String::new(),
            description: String::new(),
            object_name: String::new(),
            object_mapping: String::new(),
            event_name: String::new(),
            tag: String::new(),
        }
    }

    /// Checks every free-text field.
    pub fn validate(&self) -> Result<(), Error> {
        for (field, value) in [
            ("direction", &self.direction),
            ("description", &self.description),
            ("object_name", &self.object_name),
            ("event_name", &self.event_name),
            ("tag", &self.tag),
        ] {
            check_text(field, value)?;
        }
        if self.object_mapping.chars().count() > MAX_OBJECT_MAPPING_CHARS {
            return Err(Error::invalid_input(
                "object_mapping",
                format!("longer than {MAX_OBJECT_MAPPING_CHARS} characters"),
            ));
        }
        Ok(())
    }
}

/// A partial update of a partner function: `Some` fields replace, `None` fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartnerFunctionPatch {
    /// New name.
    pub name: Option<Name>,
    /// New direction.
    pub direction: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New object name.
    pub object_name: Option<String>,
    /// New mapping.
    pub object_mapping: Option<String>,
    /// New event.
    pub event_name: Option<String>,
    /// New tag.
    pub tag: Option<String>,
}

impl PartnerFunctionPatch {
    /// Applies the patch to a copy of `details` and checks the result, so that a rejected
    /// patch changes nothing.
    pub fn apply(&self, details: &PartnerFunctionDetails) -> Result<PartnerFunctionDetails, Error> {
        let mut next = details.clone();
        if let Some(name) = &self.name {
            next.name = name.clone();
        }
        for (slot, value) in [
            (&mut next.direction, &self.direction),
            (&mut next.description, &self.description),
            (&mut next.object_name, &self.object_name),
            (&mut next.object_mapping, &self.object_mapping),
            (&mut next.event_name, &self.event_name),
            (&mut next.tag, &self.tag),
        ] {
            if let Some(value) = value {
                slot.clone_from(value);
            }
        }
        next.validate()?;
        Ok(next)
    }
}
