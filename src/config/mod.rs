//! What a config is: the schema check, the typed model, orbs (inline, the orb cache), orb source
//! folders, images, and cilint's own settings. Imports `base`, `yaml` and `lang`.

pub mod combined;
pub mod images;
pub mod model;
pub mod orb_source;
pub mod orbs;
pub mod pack;
pub mod schema;
pub mod settings;
