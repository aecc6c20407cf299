namespace SteelCI.Scheduling.Placement;

/// <summary>Which kinds of place a stage may run on: Kaggle accounts, a Slurm cluster, or either (steelci.yml's <c>compute: any</c>).</summary>
[Flags]
public enum Places
{
    Kaggle = 1,
    Cluster = 2,
    Any = Kaggle | Cluster,
}

/// <summary>
/// A Slurm cluster as the placer sees it (steelci.yml's <c>compute.slurm</c>): the GPU jobs SteelCI may keep there
/// (<c>job_limit</c>), the wall-clock limit of one job (<c>time_limit_minutes</c>), the grace kept back before it for the
/// trainer's output to be saved (a stage longer than one job runs as chained jobs, each giving up its grace), a job's
/// start-up (queue, runtime, inputs), and the speed of one of its GPUs relative to a Kaggle GPU (<c>speed</c>, default 1:
/// an epoch that takes 40 min on Kaggle takes 40 / speed there).
/// </summary>
public sealed record ClusterSettings(string Name, int JobLimit, TimeSpan TimeLimit, TimeSpan Grace, TimeSpan Startup, double Speed = 1)
{
    /// <summary>The longest trainer window one job gives (start-up included): the time limit less the grace.</summary>
    public TimeSpan MaxWindow => TimeLimit - Grace;

    /// <summary>Training one job holds, in the cluster's own time.</summary>
    public TimeSpan UsefulPerJob => TimeLimit - Grace - Startup;

    public ClusterSettings Validate() =>
        JobLimit < 1 ? throw new ArgumentException($"cluster '{Name}': the job limit must be at least 1")
        : Speed is <= 0 or double.NaN or double.PositiveInfinity ? throw new ArgumentException($"cluster '{Name}': the speed must be a positive number")
        : UsefulPerJob <= TimeSpan.Zero ? throw new ArgumentException($"cluster '{Name}': the time limit leaves nothing after the grace and the start-up")
        : this;
}

/// <summary>What a cluster offers now: its settings and the jobs it may still take.</summary>
public sealed record ClusterCapacity(ClusterSettings Cluster, int FreeJobs)
{
    public string Name => Cluster.Name;
}
