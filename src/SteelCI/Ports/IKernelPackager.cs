using SteelCI.Contracts;
using SteelCI.Spec;

namespace SteelCI.Ports;

/// <summary>Publishes the trainer once and turns each attempt into a kernel package.</summary>
public interface IKernelPackager
{
    Task<TrainerBundle> PrepareTrainerAsync(Pipeline pipeline, CancellationToken cancellationToken);

    KernelPackage Package(string slug, StageConfig config, TrainerBundle bundle, IReadOnlyList<KernelSource> sources,
        string accelerator, TimeSpan sessionLimit);
}
