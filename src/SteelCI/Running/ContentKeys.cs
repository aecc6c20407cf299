using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Running;

/// <summary>Content keys of every node, in dependency order, from the trainer hash and the external data.</summary>
internal static class ContentKeys
{
    public static Dictionary<string, string> Compute(Pipeline pipeline, string trainerHash) => ComputeWithParts(pipeline, trainerHash).Keys;

    /// <summary>The keys (nodes and external datasets, by name) and what went into each node's key.</summary>
    public static (Dictionary<string, string> Keys, Dictionary<string, KeyParts> Parts) ComputeWithParts(Pipeline pipeline, string trainerHash)
    {
        var keys = pipeline.ExternalDatasets.Values.ToDictionary(d => d.Name,
            d => d.Competition is { } competition ? Sha256.OfText($"kaggle-competition:{competition}") : Sha256.OfDirectoryListing(d.Path));
        var parts = new Dictionary<string, KeyParts>();
        foreach (var node in pipeline.Nodes)
        {
            var inputKeys = node.Inputs.ToDictionary(i => i, i => keys[i]);
            keys[node.Name] = ContentKey.Compute(pipeline.Name, node.Name, node.Entry, node.Epochs, node.Params, trainerHash, inputKeys);
            parts[node.Name] = new KeyParts
            {
                Trainer = trainerHash,
                Entry = node.Entry,
                Epochs = node.Epochs,
                Params = new Dictionary<string, string>(node.Params),
                Inputs = inputKeys,
            };
        }
        return (keys, parts);
    }
}
