using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Severstal.Stages;

/// <summary>
/// TorchSharp 0.107's Adam step (same state, same saved format, same operations in the same order, so the same
/// numbers) with every Scalar created explicitly and kept alive by <c>using</c> until libtorch is done with it.
/// TorchSharp's own step passes implicit Scalars (<c>add_(grad, alpha: 1 - beta1)</c>, <c>/ Math.Sqrt(..)</c>, ...)
/// that a garbage collection may finalize during the native call (docs/training.md, "Scalars on the hot path").
/// Only the options this project uses: no weight decay, no AMSGrad, no maximize.
/// </summary>
public sealed class RootedAdam : Adam
{
    public RootedAdam(IEnumerable<Parameter> parameters, double lr) : base(parameters, lr)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        if (options.weight_decay != 0 || options.amsgrad == true || options.maximize == true)
            throw new NotSupportedException("RootedAdam implements Adam without weight decay, AMSGrad or maximize");
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, lr = options.LearningRate!.Value;
        using Scalar keep1 = beta1, add1 = 1 - beta1, keep2 = beta2, add2 = 1 - beta2, eps = options.eps!.Value;
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null)
                continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            var correction1 = 1 - Math.Pow(beta1, state.step);
            var correction2 = 1 - Math.Pow(beta2, state.step);
            state.exp_avg.mul_(keep1).add_(grad, alpha: add1);
            state.exp_avg_sq.mul_(keep2).addcmul_(grad, grad.conj(), value: add2);
            using Scalar root = Math.Sqrt(correction2), stepSize = -(lr / correction1);
            var denominator = state.exp_avg_sq.sqrt().div(root).add_(eps);
            param.addcdiv_(state.exp_avg, denominator, value: stepSize);
        }
    }, closure);
}
