//! placeholder
use crate::yaml::Data;
pub struct Changes;
pub fn compare(_old: &Data, _new: &Data) -> Changes {
    Changes
}
