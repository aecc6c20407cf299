namespace SteelCI.Spec;

/// <summary>
/// How the scheduled workflow drives the pipeline (the <c>schedule:</c> section, docs/scheduling.md): the profile a
/// scheduled tick trains (absent: the base values, never a profile by accident) and how often a tick runs.
/// </summary>
public sealed class ScheduleSpec : SpecNode
{
    /// <summary>Cadences a cron line can keep exactly: divisors of an hour, and whole hours that divide a day.</summary>
    public static readonly int[] Cadences = [5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440];

    /// <summary>The profile a scheduled tick trains (a dispatch's input or vars.STEELCI_PROFILE override it).</summary>
    public string? Profile { get; set; }
    /// <summary>Minutes between two scheduled ticks (each is an Actions job billed at least one minute).</summary>
    public int EveryMinutes { get; set; } = 30;
}
