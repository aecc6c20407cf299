namespace SteelCI.Scheduling.Accounts;

/// <summary>
/// SteelCI's own accounting of the sessions it runs, on top of what Kaggle reports. What an account can still spend
/// this week is the allowance, minus the owner's reserve, minus what Kaggle counts as used, minus the larger of what
/// Kaggle holds for running sessions and what the ledger's own open sessions may still use until their deadlines.
/// Kaggle does not say whether <c>timeUsed</c> includes the elapsed part of running sessions; if it does, that part is
/// counted twice here, which only makes the ledger more careful, never overspent.
/// </summary>
public sealed class QuotaLedger
{
    public List<LedgerSession> Sessions { get; init; } = new();

    public IEnumerable<LedgerSession> Open(string account) => Sessions.Where(s => s.IsOpen && s.Account == account);

    public IEnumerable<LedgerSession> OpenFor(string stage) => Sessions.Where(s => s.IsOpen && s.Stage == stage);

    public LedgerSession Record(string account, string stage, int fromEpoch, int epochs, DateTimeOffset start, DateTimeOffset deadline)
    {
        if (deadline <= start)
            throw new ArgumentException($"a session of {stage} on {account} needs a deadline after its start", nameof(deadline));
        var session = new LedgerSession
        {
            Id = $"{stage}-{start:yyyyMMddHHmmss}-{Sessions.Count + 1}",
            Account = account,
            Stage = stage,
            FromEpoch = fromEpoch,
            Epochs = epochs,
            StartUtc = start,
            DeadlineUtc = deadline,
        };
        Sessions.Add(session);
        return session;
    }

    public void Close(LedgerSession session, DateTimeOffset ended, int epochsDone)
    {
        if (!session.IsOpen)
            throw new InvalidOperationException($"session {session.Id} was already closed at {session.EndedUtc:O}");
        session.EndedUtc = ended;
        session.EpochsDone = epochsDone;
    }

    /// <summary>What still may be planned on the account in its current quota week; never negative.</summary>
    public TimeSpan Spendable(AccountSettings account, QuotaSnapshot quota, DateTimeOffset now)
    {
        var held = Open(account.Name).Aggregate(TimeSpan.Zero, (sum, s) => sum + Positive(s.DeadlineUtc - Max(now, s.StartUtc)));
        var committed = quota.Used + Max(quota.Reserved, held);
        return Positive(quota.Allowed - account.Reserve - committed);
    }

    private static TimeSpan Positive(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
