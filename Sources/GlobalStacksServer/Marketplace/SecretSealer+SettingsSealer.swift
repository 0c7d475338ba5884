import GlobalStacksUseCases

/// Install settings' secrets are sealed with the server's secret key.
extension SecretSealer: SettingsSealer {}
