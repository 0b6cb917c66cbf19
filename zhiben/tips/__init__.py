"""举报奖励: the confidential whistleblower channel (public portal, identity vault, handling loop, rewards)."""
