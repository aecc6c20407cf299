using SteelCI.Contracts;
using SteelCI.Ports;
using SteelCI.Scheduling.Estimates;
using SteelCI.Scheduling.Placement;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Scheduling.Ticking;

/// <summary>
/// The tick's placement for a pipeline with stages on <c>compute: any</c>: the <see cref="Placer"/> over the Kaggle
/// accounts (quota, reserves and session caps, as <see cref="ScheduledPlacementPolicy"/>) and the Slurm cluster
/// (<see cref="ClusterSettings"/>: job_limit, time limit less the grace) puts each ready GPU stage with an epoch
/// estimate where it is expected to be done soonest; a stage on <c>compute: kaggle</c> or <c>slurm</c> is placed the
/// same way but only there. Every other ready stage (CPU, local, no estimate) goes to its own backend while that has a
/// free slot (<paramref name="slots"/>: the backends' limits), like <c>ComputePlacementPolicy</c>; a CPU stage on
/// <c>compute: any</c> cannot exist (the spec refuses it). Busy slots count the attempts recorded as active on each
/// backend and the decisions already made in this call.
/// </summary>
public sealed class MixedPlacementPolicy(ScheduledPlacementPolicy kaggle, ClusterSettings cluster, IReadOnlyDictionary<string, int> slots)
    : IPlacementPolicy
{
    /// <summary>The backend name a cluster's attempts record (<see cref="AttemptRecord.Backend"/>).</summary>
    public const string ClusterBackend = "slurm";

    public ClusterSettings Cluster { get; } = cluster.Validate();

    public async Task<IReadOnlyList<PlacementDecision>> PlaceAsync(PlacementRequest request, CancellationToken cancellationToken)
    {
        var pipeline = request.Pipeline;
        var planned = pipeline.Nodes.Where(n => IsPlanned(pipeline, n)).ToList();
        var names = planned.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var busy = request.State.Stages.Values.SelectMany(s => s.Attempts).Where(a => a.IsActive)
            .GroupBy(a => a.Backend).ToDictionary(g => g.Key, g => g.Count());
        var progress = ScheduledPlacementPolicy.ProgressOf(request, planned,
            node => StageWork.Of(node, names) with { Places = PlacesOf(pipeline.BackendOf(node)) });

        var decisions = new List<PlacementDecision>();
        if (progress.Count > 0)
        {
            var capacity = await kaggle.Pool.CapacityAsync(ScheduledPlacementPolicy.LedgerOf(request.State, planned), request.Now, cancellationToken);
            // The Kaggle backend's own slots bound its accounts' sessions too (attempts of unplanned Kaggle stages count).
            var jobs = Math.Max(0, Cluster.JobLimit - busy.GetValueOrDefault(ClusterBackend));
            var speeds = MeasuredSpeeds.From(request.State, kaggle.Placer.Options.Startup);
            foreach (var placement in kaggle.Placer.Place(request.Now, progress, capacity, speeds, [new ClusterCapacity(Cluster, jobs)]))
            {
                var onCluster = placement.Place == Places.Cluster;
                var backend = onCluster ? ClusterBackend : "kaggle";
                var window = placement.DeadlineUtc - placement.StartUtc;
                decisions.Add(new PlacementDecision(placement.Stage, onCluster ? null : placement.Account,
                    onCluster ? PlatformRules.SessionLimitFor(window, Cluster.TimeLimit - SlurmGrace) : kaggle.SessionLimitFor(window),
                    placement.Epochs) { Backend = backend });
                busy[backend] = busy.GetValueOrDefault(backend) + 1;
            }
        }
        foreach (var candidate in request.Ready.Where(c => !IsPlanned(pipeline, c.Node)))
        {
            var name = pipeline.BackendOf(candidate.Node) is Pipeline.AnyBackend ? "kaggle" : pipeline.BackendOf(candidate.Node);
            if (!slots.TryGetValue(name, out var limit) || busy.GetValueOrDefault(name) >= limit)
                continue;
            busy[name] = busy.GetValueOrDefault(name) + 1;
            var session = TimeSpan.FromMinutes(pipeline.SessionMinutes);
            if (name == ClusterBackend && session > Cluster.TimeLimit - SlurmGrace)
                session = Cluster.TimeLimit - SlurmGrace;
            decisions.Add(new PlacementDecision(candidate.Node.Name, null, session, candidate.Node.Epochs - candidate.EpochsDone) { Backend = name });
        }
        return decisions.Take(Math.Max(0, request.FreeSlots)).ToList();
    }

    /// <summary>The grace the Slurm backend keeps between a job's session and its time limit (SlurmOptions.Grace).</summary>
    public static readonly TimeSpan SlurmGrace = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The cluster as the placer sees it, from steelci.yml's <c>compute.slurm</c>: <c>job_limit</c>, <c>time_limit_minutes</c>
    /// and <c>speed</c>. The grace a job gives up is the Slurm backend's 2 min plus the launcher's margin before the
    /// trainer's deadline (min(10 %, 15 min) of the session); the start-up is Kaggle's 5 min (a guess: queue time unknown).
    /// </summary>
    public static ClusterSettings ClusterOf(SlurmComputeSpec slurm)
    {
        var limit = TimeSpan.FromMinutes(slurm.TimeLimitMinutes);
        var session = limit - SlurmGrace;
        return new ClusterSettings(ClusterBackend, slurm.JobLimit, limit, SlurmGrace + PlatformRules.LauncherMargin(session), PlatformRules.Startup, slurm.Speed);
    }

    private static Places PlacesOf(string backend) => backend switch
    {
        Pipeline.AnyBackend => Places.Any,
        ClusterBackend => Places.Cluster,
        _ => Places.Kaggle,
    };

    private static bool IsPlanned(Pipeline pipeline, PipelineNode node) =>
        node.Accelerator == "gpu" && node.MinutesPerEpoch > 0 && node.Epochs > 0 && pipeline.BackendOf(node) is "kaggle" or ClusterBackend or Pipeline.AnyBackend;
}
