namespace SteelCI.Scheduling.Simulation;

/// <summary>Where an account stands when a simulation or forecast begins: its allowance, the week's use, its next refresh.</summary>
public sealed record SimulatedAccountState(Accounts.AccountSettings Settings, TimeSpan Allowed, TimeSpan Used, DateTimeOffset NextRefresh);
