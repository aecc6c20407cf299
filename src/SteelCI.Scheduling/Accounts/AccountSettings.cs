using SteelCI.Contracts;

namespace SteelCI.Scheduling.Accounts;

/// <summary>
/// One lent Kaggle account as the pipeline config names it: the secret that holds its credential, the hours its owner
/// keeps for themselves (SteelCI never plans into them) and the concurrent GPU session cap (Kaggle: 2).
/// </summary>
public sealed record AccountSettings(string Name, TimeSpan Reserve, int MaxSessions = PlatformRules.GpuSessionsPerAccount, string? Secret = null)
{
    public static AccountSettings Default(string name) => new(name, TimeSpan.Zero);
}
