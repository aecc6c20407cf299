using Severstal.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Severstal.Stages;

/// <summary>The epoch and prediction loops the classifier and segmenter stages share.</summary>
internal static class Training
{
    public static void Epoch(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, List<Sample> samples, int batchSize,
        int seed, int epoch, Func<IReadOnlyList<Sample>, IReadOnlyList<(bool H, bool V)>, (Tensor Input, Tensor Target)> batch,
        Func<Tensor, Tensor, Tensor> loss, Action<string> log)
    {
        model.train();
        var random = new Random(seed * 1000 + epoch);
        var order = Enumerable.Range(0, samples.Count).OrderBy(_ => random.Next()).ToList();
        double total = 0;
        var steps = 0;
        for (var start = 0; start < order.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = order.Skip(start).Take(batchSize).Select(i => samples[i]).ToList();
            var (input, target) = batch(chunk, Batches.RandomFlips(random, chunk.Count));
            optimizer.zero_grad();
            var value = loss(model.forward(input), target);
            value.backward();
            optimizer.step();
            total += value.item<float>();
            steps++;
        }
        log($"epoch {epoch + 1}: loss {total / Math.Max(1, steps):0.0000} over {steps} steps");
    }

    /// <summary>Sigmoid outputs for every sample, flattened per sample.</summary>
    public static List<float[]> Predict(nn.Module<Tensor, Tensor> model, List<Sample> samples, int height, int width, int batchSize = 16)
    {
        model.eval();
        var results = new List<float[]>();
        using var noGrad = no_grad();
        for (var start = 0; start < samples.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = samples.Skip(start).Take(batchSize).ToList();
            var probabilities = nn.functional.sigmoid(model.forward(Batches.Images(chunk, height, width)));
            var flat = probabilities.reshape(chunk.Count, -1).data<float>().ToArray();
            var size = flat.Length / chunk.Count;
            for (var b = 0; b < chunk.Count; b++)
                results.Add(flat[(b * size)..((b + 1) * size)]);
        }
        return results;
    }

    public static Tensor DiceLoss(Tensor logits, Tensor target)
    {
        var probabilities = nn.functional.sigmoid(logits);
        var intersection = (probabilities * target).sum([1, 2, 3]);
        var union = probabilities.sum([1, 2, 3]) + target.sum([1, 2, 3]);
        return (1 - (2 * intersection + 1) / (union + 1)).mean();
    }
}
