using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Spec;

namespace SteelCI.Running;

/// <summary>Content keys of every node, in dependency order, from the trainer hash and the external data.</summary>
internal static class ContentKeys
{
    public static Dictionary<string, string> Compute(Pipeline pipeline, string trainerHash)
    {
        var keys = pipeline.ExternalDatasets.Values.ToDictionary(d => d.Name,
            d => d.Competition is { } competition ? Sha256.OfText($"kaggle-competition:{competition}") : Sha256.OfDirectoryListing(d.Path));
        foreach (var node in pipeline.Nodes)
        {
            var inputKeys = node.Inputs.ToDictionary(i => i, i => keys[i]);
            keys[node.Name] = ContentKey.Compute(pipeline.Name, node.Name, node.Entry, node.Epochs, node.Params, trainerHash, inputKeys);
        }
        return keys;
    }
}
