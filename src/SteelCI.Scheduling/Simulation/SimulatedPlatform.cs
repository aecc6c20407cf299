using SteelCI.Scheduling.Accounts;
using SteelCI.Scheduling.Placement;

namespace SteelCI.Scheduling.Simulation;

/// <summary>
/// Kaggle as the simulator models it: per account a weekly GPU allowance that every running session consumes from
/// its push (start-up included) and that resets every refresh period; at most <see cref="AccountSettings.MaxSessions"/>
/// sessions at once; a push refused when the cap is reached or no quota is left; a session stopped (its files lost)
/// at the session limit or when its account runs out of quota. Epochs take the times the simulator gives (drawn by
/// <see cref="RealisedSpeeds"/>). Time moves only through <see cref="AdvanceTo"/>,
/// event by event, so quota exhaustion and refreshes land at their exact instants between ticks.
/// </summary>
internal sealed class SimulatedPlatform : IQuotaSource
{
    private sealed class Account(SimulatedAccountState state, TimeSpan sessionLimit, double speed = 1)
    {
        public AccountSettings Settings { get; } = state.Settings;
        public TimeSpan SessionLimit { get; } = sessionLimit;
        public double Speed { get; } = speed;
        public TimeSpan Allowed { get; } = state.Allowed;
        public TimeSpan Used { get; set; } = state.Used;
        public DateTimeOffset NextRefresh { get; set; } = state.NextRefresh;
        public TimeSpan WeekUse { get; set; } = state.Used;
        public TimeSpan MaxWeekUse { get; set; } = state.Used;
        public List<Running> Sessions { get; } = new();
    }

    private sealed record Running(int Id, string Account, string Stage, int FromEpoch, DateTimeOffset Start,
        DateTimeOffset[] EpochEnds, DateTimeOffset TrainerDeadline, DateTimeOffset HardLimit, TimeSpan Startup)
    {
        public DateTimeOffset NaturalEnd => Min(Min(EpochEnds.Length == 0 ? Start + Startup : EpochEnds[^1], TrainerDeadline), HardLimit);
    }

    private sealed record EndedRun(Running Running, int EpochsDone, DateTimeOffset End);

    private readonly Dictionary<string, Account> _accounts;
    private readonly TimeSpan _refreshPeriod;
    private readonly TimeSpan _sessionLimit;
    private readonly Func<string, int, TimeSpan, TimeSpan> _epochTime;
    private readonly List<SimulatedSession> _history = new();
    private readonly List<EndedRun> _ended = new();
    private int _nextId;

    public SimulatedPlatform(IEnumerable<SimulatedAccountState> accounts, DateTimeOffset now, TimeSpan refreshPeriod,
        TimeSpan sessionLimit, Func<string, int, TimeSpan, TimeSpan> epochTime, IEnumerable<ClusterSettings>? clusters = null)
    {
        _accounts = accounts.ToDictionary(a => a.Settings.Name, a => new Account(a, sessionLimit), StringComparer.Ordinal);
        // A cluster is a place without quota (a century of hours, never refreshed within a simulation), with job_limit
        // jobs at once, each stopped at the time limit, its epochs taking the drawn time divided by its speed.
        foreach (var cluster in clusters ?? [])
            _accounts.Add(cluster.Name, new Account(new SimulatedAccountState(new AccountSettings(cluster.Name, TimeSpan.Zero, cluster.JobLimit),
                TimeSpan.FromDays(36500), TimeSpan.Zero, now.AddYears(100)), cluster.TimeLimit, cluster.Speed));
        Now = now;
        _refreshPeriod = refreshPeriod;
        _sessionLimit = sessionLimit;
        _epochTime = epochTime;
    }

    public DateTimeOffset Now { get; private set; }
    public IReadOnlyList<SimulatedSession> History => _history;
    public int MaxConcurrent { get; private set; }

    public TimeSpan MaxWeekUse(string account) => _accounts[account].MaxWeekUse;
    public int RunningOn(string account) => _accounts[account].Sessions.Count;

    public Task<QuotaSnapshot> ReadAsync(string account, CancellationToken cancellationToken)
    {
        var state = _accounts.GetValueOrDefault(account) ?? throw new KeyNotFoundException($"the simulator has no account '{account}'");
        return Task.FromResult(new QuotaSnapshot(state.Allowed, state.Used, TimeSpan.Zero, state.NextRefresh));
    }

    /// <summary>Pushes a session; the refusal Kaggle would give, or null and the session's id.</summary>
    public string? TryStart(string account, string stage, int fromEpoch, int epochs, TimeSpan perEpoch, TimeSpan startup,
        DateTimeOffset trainerDeadline, out int id)
    {
        id = 0;
        var state = _accounts[account];
        if (state.Sessions.Count >= state.Settings.MaxSessions)
            return $"Maximum batch GPU session count of {state.Settings.MaxSessions} reached.";
        if (state.Used >= state.Allowed)
            return $"account {account} has no GPU quota left until {state.NextRefresh:u}";
        var ends = new DateTimeOffset[epochs];
        var at = Now + startup;
        for (var i = 0; i < epochs; i++)
            ends[i] = at += _epochTime(stage, fromEpoch + i, perEpoch) / state.Speed;
        id = ++_nextId;
        state.Sessions.Add(new Running(id, account, stage, fromEpoch, Now, ends, trainerDeadline, Now + state.SessionLimit, startup));
        MaxConcurrent = Math.Max(MaxConcurrent, state.Sessions.Count);
        return null;
    }

    /// <summary>Takes over a session that already runs (a forecast from the ledger); it runs exactly as estimated.</summary>
    public int Adopt(LedgerSession session, TimeSpan perEpoch, TimeSpan startup)
    {
        var state = _accounts.GetValueOrDefault(session.Account)
            ?? throw new KeyNotFoundException($"session {session.Id} runs on account '{session.Account}', which is not in the pool");
        var ends = Enumerable.Range(1, session.Epochs).Select(i => session.StartUtc + startup + perEpoch * i).ToArray();
        var id = ++_nextId;
        state.Sessions.Add(new Running(id, session.Account, session.Stage, session.FromEpoch, session.StartUtc, ends,
            session.DeadlineUtc, session.StartUtc + _sessionLimit, startup));
        MaxConcurrent = Math.Max(MaxConcurrent, state.Sessions.Count);
        return id;
    }

    /// <summary>
    /// The epochs finished by now, with the time each took: those of ended sessions (what a tick learns when it collects
    /// a session's output), and with <paramref name="live"/> also those of running sessions (a live log).
    /// </summary>
    public IEnumerable<(string Stage, string Account, TimeSpan Took)> FinishedEpochs(bool live)
    {
        foreach (var ended in _ended)
            foreach (var took in Durations(ended.Running, ended.EpochsDone))
                yield return (ended.Running.Stage, ended.Running.Account, took);
        if (!live)
            yield break;
        foreach (var session in _accounts.Values.SelectMany(a => a.Sessions))
            foreach (var took in Durations(session, session.EpochEnds.Count(e => e <= Now)))
                yield return (session.Stage, session.Account, took);
    }

    /// <summary>For each collected session cut before it finished an epoch it had begun: how long that epoch had run.</summary>
    public IEnumerable<(string Stage, TimeSpan Running)> CutEpochs()
    {
        foreach (var (session, done, end) in _ended.Where(e => e.EpochsDone < e.Running.EpochEnds.Length).Select(e => (e.Running, e.EpochsDone, e.End)))
        {
            var from = done == 0 ? session.Start + session.Startup : session.EpochEnds[done - 1];
            if (end > from)
                yield return (session.Stage, end - from);
        }
    }

    private static IEnumerable<TimeSpan> Durations(Running session, int epochs)
    {
        var from = session.Start + session.Startup;
        for (var i = 0; i < epochs; i++)
        {
            yield return session.EpochEnds[i] - from;
            from = session.EpochEnds[i];
        }
    }

    /// <summary>Runs the platform to <paramref name="to"/>; the sessions that ended on the way.</summary>
    public List<SimulatedSession> AdvanceTo(DateTimeOffset to)
    {
        var ended = new List<SimulatedSession>();
        while (true)
        {
            foreach (var session in _accounts.Values.SelectMany(a => a.Sessions).Where(s => s.NaturalEnd <= Now).ToList())
                ended.Add(End(session, session.NaturalEnd, NaturalReason(session)));
            foreach (var account in _accounts.Values.Where(a => a.Sessions.Count > 0 && a.Used >= a.Allowed))
                foreach (var session in account.Sessions.ToList())
                    ended.Add(End(session, Now, SessionEnd.QuotaExhausted));
            foreach (var account in _accounts.Values.Where(a => a.NextRefresh <= Now))
            {
                account.Used = TimeSpan.Zero;
                account.WeekUse = TimeSpan.Zero;
                account.NextRefresh += _refreshPeriod;
            }
            if (Now >= to)
                return ended;

            var next = to;
            foreach (var account in _accounts.Values)
            {
                next = Min(next, account.NextRefresh);
                var running = account.Sessions.Count;
                if (running == 0)
                    continue;
                next = Min(next, Min(account.Sessions.Min(s => s.NaturalEnd), Now + Ceiling(account.Allowed - account.Used, running)));
            }
            var step = next - Now;
            foreach (var account in _accounts.Values)
            {
                account.Used += step * account.Sessions.Count;
                account.WeekUse += step * account.Sessions.Count;
                account.MaxWeekUse = account.WeekUse > account.MaxWeekUse ? account.WeekUse : account.MaxWeekUse;
            }
            Now = next;
        }
    }

    /// <summary>Ends every running session as of now, for a forecast's last picture.</summary>
    public List<SimulatedSession> StillRunning() =>
        _accounts.Values.SelectMany(a => a.Sessions).Select(s => Record(s, s.NaturalEnd, SessionEnd.Running, 0, TimeSpan.Zero)).ToList();

    private SimulatedSession End(Running session, DateTimeOffset at, SessionEnd reason)
    {
        _accounts[session.Account].Sessions.Remove(session);
        var computeStart = session.Start + session.Startup;
        SimulatedSession record;
        if (reason is SessionEnd.Completed)
            record = Record(session, at, reason, session.EpochEnds.Length, TimeSpan.Zero);
        else if (reason is SessionEnd.TrainerDeadline)
        {
            var done = session.EpochEnds.Count(e => e <= at);
            var checkpoint = done == 0 ? computeStart : session.EpochEnds[done - 1];
            record = Record(session, at, reason, done, Positive(at - checkpoint));
        }
        else
            record = Record(session, at, reason, 0, Positive(at - computeStart));
        _history.Add(record);
        _ended.Add(new EndedRun(session, record.EpochsDone, at));
        return record;
    }

    private static SimulatedSession Record(Running s, DateTimeOffset end, SessionEnd reason, int done, TimeSpan lost) =>
        new(s.Id, s.Account, s.Stage, s.FromEpoch, s.EpochEnds.Length, done, s.Start, end, reason, lost);

    private static SessionEnd NaturalReason(Running s) =>
        LastEpoch(s) <= Min(s.TrainerDeadline, s.HardLimit) ? SessionEnd.Completed
        : s.TrainerDeadline <= s.HardLimit ? SessionEnd.TrainerDeadline
        : SessionEnd.SessionLimit;

    private static DateTimeOffset LastEpoch(Running s) => s.EpochEnds.Length == 0 ? s.Start + s.Startup : s.EpochEnds[^1];
    private static TimeSpan Ceiling(TimeSpan left, int running) =>
        left <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks((left.Ticks + running - 1) / running);
    private static TimeSpan Positive(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
