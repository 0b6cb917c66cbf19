"""Services of the whistleblower channel, one module per area (intake, handling, vault, rewards, internal);
import them by module: `from zhiben.tips.services.intake import submit_tip`."""
