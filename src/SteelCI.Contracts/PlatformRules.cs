namespace SteelCI.Contracts;

/// <summary>
/// The platform's rules, written once. The Kaggle backend, the Kaggle fake, the scheduler, the simulator and the
/// chaos tests all read these values, so a rule changed here changes everywhere (docs/kaggle.md, docs/scheduling.md;
/// /work/shared/docs/platform.md and kaggle-api.md §8 give the evidence).
/// </summary>
public static class PlatformRules
{
    /// <summary>Concurrent GPU batch sessions per Kaggle account ("Maximum batch GPU session count of 2 reached.").</summary>
    public const int GpuSessionsPerAccount = 2;

    /// <summary>Concurrent CPU batch sessions per Kaggle account.</summary>
    public const int CpuSessionsPerAccount = 5;

    /// <summary>Kaggle's longest batch session (GPU or CPU), start-up included: 12 h.</summary>
    public static readonly TimeSpan SessionLimit = TimeSpan.FromHours(12);

    /// <summary><see cref="SessionLimit"/> in minutes, the unit of <c>session_minutes</c> in the pipeline file.</summary>
    public const double SessionLimitMinutes = 720;

    /// <summary>Weekly GPU hours of one Kaggle account.</summary>
    public static readonly TimeSpan WeeklyGpuQuota = TimeSpan.FromHours(30);

    /// <summary>Weekly TPU hours of one Kaggle account.</summary>
    public static readonly TimeSpan WeeklyTpuQuota = TimeSpan.FromHours(20);

    /// <summary>How often the quota refreshes: once a week.</summary>
    public static readonly TimeSpan QuotaRefreshPeriod = TimeSpan.FromDays(7);

    /// <summary>The day Kaggle's weekly quota refreshes (00:00 UTC), as its <c>quotaRefreshTime</c> shows.</summary>
    public const DayOfWeek QuotaRefreshDay = DayOfWeek.Saturday;

    /// <summary>Start-up of a session (image, runtime, inputs) before the trainer's first epoch; it counts against quota.</summary>
    public static readonly TimeSpan Startup = TimeSpan.FromMinutes(5);

    /// <summary>The launcher keeps this share of the session limit back before the trainer's deadline ...</summary>
    public const double LauncherMarginShare = 0.1;

    /// <summary>... but never more than this (docs/contracts.md): the margin is min(10 %, 15 min).</summary>
    public static readonly TimeSpan LauncherMarginCap = TimeSpan.FromMinutes(15);

    /// <summary>What the launcher keeps back of <paramref name="sessionLimit"/> for saving outputs: min(10 %, 15 min).</summary>
    public static TimeSpan LauncherMargin(TimeSpan sessionLimit)
    {
        var share = TimeSpan.FromTicks((long)(sessionLimit.Ticks * LauncherMarginShare));
        return share < LauncherMarginCap ? share : LauncherMarginCap;
    }

    /// <summary>
    /// The session limit that leaves the trainer <paramref name="window"/> after the launcher's margin, rounded up to
    /// whole minutes and at most <paramref name="platformLimit"/>: the inverse of <see cref="LauncherMargin"/>.
    /// </summary>
    public static TimeSpan SessionLimitFor(TimeSpan window, TimeSpan platformLimit)
    {
        var lastShareWindow = LauncherMarginCap / LauncherMarginShare - LauncherMarginCap; // 135 min: beyond it the cap applies
        var limit = window <= lastShareWindow ? window / (1 - LauncherMarginShare) : window + LauncherMarginCap;
        limit = TimeSpan.FromMinutes(Math.Ceiling(limit.TotalMinutes));
        return limit < platformLimit ? limit : platformLimit;
    }

    /// <summary>The next weekly quota refresh after <paramref name="now"/> (a refresh instant itself is followed by the next week's).</summary>
    public static DateTimeOffset NextQuotaRefresh(DateTimeOffset now)
    {
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var days = ((int)QuotaRefreshDay - (int)day.DayOfWeek + 7) % 7;
        return day.AddDays(days == 0 ? 7 : days);
    }
}
