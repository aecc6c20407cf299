using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Severstal.Models;

/// <summary>
/// TorchSharp's BatchNorm2d (0.107: same parameters, buffers, names and arithmetic) with one change: the counter
/// update uses a Scalar held in a static field. TorchSharp's own forward calls <c>num_batches_tracked.add_(1)</c>; the
/// implicit Scalar for 1 is unreachable once its handle is passed to libtorch, so a garbage collection (the loader
/// thread allocates all the time) can finalize and free it while libtorch still reads it: the rare crash in
/// <c>c10::Scalar::toLong</c> inside <c>at::native::add_</c> (docs/training.md, "Scalars on the hot path").
/// </summary>
public sealed class RootedBatchNorm2d(long features)
    : BatchNorm(features, 1e-5, 0.1, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
{
    /// <summary>Rooted for the life of the process: never finalized, so never freed under libtorch.</summary>
    private static readonly Scalar One = 1L;

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4)
            throw new ArgumentException($"expected 4D input (got {input.ndim}D input)");
    }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        if (training && track_running_stats && num_batches_tracked is not null)
            num_batches_tracked.add_(One, One);
        var useBatchStatistics = training || (running_mean is null && running_var is null);
        var tracked = !training || track_running_stats;
        return F.batch_norm(input, tracked ? running_mean : null, tracked ? running_var : null, weight, bias, useBatchStatistics, momentum!.Value, eps);
    }
}
