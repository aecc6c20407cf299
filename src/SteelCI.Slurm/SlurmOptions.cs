using SteelCI.Spec;

namespace SteelCI.Slurm;

/// <summary>One cluster as steelci.yml's compute.slurm describes it (docs/compute.md).</summary>
public sealed record SlurmOptions
{
    public required Uri RestUrl { get; init; }
    public required string User { get; init; }
    /// <summary>The environment variable that holds the JWT; its value is read per request and never logged.</summary>
    public string TokenEnv { get; init; } = "SLURM_JWT";
    public required string Partition { get; init; }
    public string? Gres { get; init; }
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromHours(1);
    public string? Account { get; init; }
    public int? MemoryGb { get; init; }
    public int JobLimit { get; init; } = 1;
    /// <summary>The shared folder as this machine sees it.</summary>
    public required string SharedDir { get; init; }
    /// <summary>The same folder as the compute nodes see it.</summary>
    public string? ClusterDir { get; init; }
    public string Python { get; init; } = "python3";
    /// <summary>Extra minutes Slurm's own limit allows past the trainer's deadline, so the trainer ends first.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromMinutes(2);

    public static SlurmOptions From(SlurmComputeSpec spec) => new()
    {
        RestUrl = new Uri(spec.RestUrl!.TrimEnd('/') + "/"),
        User = spec.User!,
        TokenEnv = spec.TokenEnv,
        Partition = spec.Partition,
        Gres = spec.Gres,
        TimeLimit = TimeSpan.FromMinutes(spec.TimeLimitMinutes),
        Account = spec.Account,
        MemoryGb = spec.MemoryGb,
        JobLimit = spec.JobLimit,
        SharedDir = spec.SharedDir,
        ClusterDir = spec.ClusterDir,
        Python = spec.Python,
    };

    /// <summary>A path under <see cref="SharedDir"/> as the compute nodes see it.</summary>
    public string OnCluster(string localPath)
    {
        if (ClusterDir is null)
            return localPath;
        var relative = Path.GetRelativePath(SharedDir, localPath);
        return ClusterDir.TrimEnd('/') + "/" + relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}
