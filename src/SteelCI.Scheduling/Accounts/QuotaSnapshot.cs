namespace SteelCI.Scheduling.Accounts;

/// <summary>
/// An account's GPU quota as GetAcceleratorQuotaStatistics reports it (kaggle-api.md §2.7): the week's allowance, what
/// was used in the current window, what running sessions hold, and when the window resets.
/// </summary>
public sealed record QuotaSnapshot(TimeSpan Allowed, TimeSpan Used, TimeSpan Reserved, DateTimeOffset RefreshUtc);
