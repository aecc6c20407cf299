using SteelCI.Kernels;

namespace SteelCI.Slurm;

/// <summary>
/// The launcher's device ladder as a cluster sets it (docs/compute.md, "GPUs on the cluster"): the same launcher and
/// rungs as on Kaggle, with (a) the CUDA libtorch configured in compute.slurm.libtorch (else the node's own torch),
/// (b) the pinned runtime staged in the shared folder (<see cref="ClusterRuntime"/>), (c) the CPU when the stage is cpu or
/// compute.slurm.cpu_fallback is true, (d) else a failure naming the versions, worded for Slurm.
/// </summary>
public static class SlurmDevice
{
    public static IReadOnlyDictionary<string, string> Hints(SlurmOptions options) => new Dictionary<string, string>
    {
        ["runtime"] = "stage one with `steelci slurm runtime` into compute.slurm.shared_dir",
        ["fixes"] = "Point compute.slurm.libtorch at a CUDA libtorch of that version on the cluster (a libtorch folder or a Python whose torch has it), " +
            "stage the pinned runtime (`steelci slurm runtime`), or allow the CPU (compute.slurm.cpu_fallback: true, or accelerator: cpu for this stage); " +
            $"check that compute.slurm.gres ({options.Gres ?? "not set"}) gives the job a GPU.",
        ["fallback"] = "compute.slurm.cpu_fallback is true",
        ["libtorchField"] = "compute.slurm.libtorch",
        ["torchSource"] = $"the node's torch ({options.Python})",
    };

    /// <summary>The spec with the cluster's device rules: the configured libtorch, the CPU fallback, Slurm's wording, and
    /// the staged runtime (mounted under its key) when a gpu stage has one.</summary>
    public static KernelSpec Apply(KernelSpec spec, SlurmOptions options, string? runtimeKey)
    {
        if (runtimeKey is not null)
            spec = spec.WithRuntime(runtimeKey);
        return spec with
        {
            Device = spec.Device with { LibtorchPath = options.Libtorch, CpuFallback = options.CpuFallback, Hints = Hints(options) },
        };
    }
}
