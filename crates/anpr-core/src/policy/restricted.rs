//! Restricted Access cameras (NASPLE 8.8): their reads and images are visible only to users
//! granted that camera. The core filters them out before anything leaves it; the UI never
//! filters for security.

/// The restricted cameras whose data an actor may see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visibility {
    /// Register ids of restricted cameras this actor is granted. Grants are recorded by an
    /// administrator with a senior manager's authorisation (8.8); until a grant exists, no
    /// restricted camera is visible to anyone.
    pub granted_cameras: Vec<i64>,
}

impl Visibility {
    pub fn sees(&self, camera: i64, restricted: bool) -> bool {
        !restricted || self.granted_cameras.contains(&camera)
    }
}

#[cfg(test)]
mod tests {
    use super::Visibility;

    #[test]
    fn restricted_cameras_are_hidden_unless_granted_8_8() {
        let none = Visibility::default();
        assert!(none.sees(1, false));
        assert!(!none.sees(1, true));
        let granted = Visibility { granted_cameras: vec![1] };
        assert!(granted.sees(1, true) && !granted.sees(2, true));
    }
}
