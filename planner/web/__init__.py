"""Web plumbing shared by every area: templating, forms, security, errors, assets, listing."""
