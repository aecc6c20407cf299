namespace SteelCI.Spec;

public enum NodeKind { Dataset, Stage }

/// <summary>One unit of work after the profile is applied: a stage, or a dataset that a trainer entry generates.</summary>
public sealed record PipelineNode(
    string Name,
    NodeKind Kind,
    string Entry,
    IReadOnlyList<string> Inputs,
    IReadOnlyDictionary<string, string> Params,
    int Epochs,
    double MinutesPerEpoch,
    bool Resumable,
    string Accelerator,
    string? Metric)
{
    /// <summary>The backend this node runs on when it is not the pipeline's (a stage's own <c>compute:</c>).</summary>
    public string? Compute { get; init; }
}

/// <summary>
/// A dataset that already exists: a folder (for example the real competition download), or on the kaggle backend a
/// competition whose data Kaggle attaches itself (<see cref="Competition"/>; <see cref="Path"/> is then empty).
/// </summary>
public sealed record ExternalDataset(string Name, string Path, string? Competition = null);

/// <summary>A pipeline ready to plan: nodes in dependency order, external datasets, where things live.</summary>
public sealed record Pipeline(
    string Name,
    string SpecPath,
    string Profile,
    string TrainerProject,
    string Backend,
    string Store,
    double SessionMinutes,
    IReadOnlyList<PipelineNode> Nodes,
    IReadOnlyDictionary<string, ExternalDataset> ExternalDatasets)
{
    public PipelineNode Node(string name) => Nodes.First(n => n.Name == name);

    /// <summary>How each backend is reached (steelci.yml's compute: section).</summary>
    public ComputeSpec Compute { get; init; } = new();

    /// <summary>A stage's <c>compute: any</c>: Kaggle or the cluster, whichever the placer expects to finish it sooner.</summary>
    public const string AnyBackend = "any";

    /// <summary>Where <paramref name="node"/> runs: its own compute choice (possibly <see cref="AnyBackend"/>), else the pipeline's backend.</summary>
    public string BackendOf(PipelineNode node) => node.Compute ?? Backend;

    /// <summary>Every backend <paramref name="node"/> may run on (<see cref="AnyBackend"/>: kaggle and slurm).</summary>
    public IReadOnlyList<string> BackendsOf(PipelineNode node) => BackendOf(node) == AnyBackend ? ["kaggle", "slurm"] : [BackendOf(node)];
}
