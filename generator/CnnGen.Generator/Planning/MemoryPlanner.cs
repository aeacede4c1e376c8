using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Planning;

/// <summary>
/// Where each tensor lives, in floats per sample (a batch of N puts tensor t at
/// <c>[offset·N, (offset + size)·N)</c> of its arena), and how big the arenas are.
/// </summary>
/// <remarks>
/// Inference frees a tensor after its last reader, so buffers whose lifetimes do not overlap share
/// memory (first fit). Training keeps every activation for backward, each in its own place. The
/// gradients, needed only between a consumer's backward and its producer's, share memory too.
/// </remarks>
internal sealed record MemoryPlan(
    EquatableArray<int> InferenceOffsets,
    EquatableArray<int> TrainingOffsets,
    EquatableArray<int> GradientOffsets,
    int InferenceFloats,
    int TrainingFloats,
    int GradientFloats,
    string InferencePeak);

internal static class MemoryPlanner
{
    public static MemoryPlan Plan(IReadOnlyList<LayerPlan> layers, IReadOnlyList<TensorPlan> tensors)
    {
        List<LayerPlan> computing = layers.Where(layer => layer.HasOwnCode || layer.Kind == LayerKind.Flatten).ToList();
        int outputTensor = computing[computing.Count - 1].OutputTensor;

        // Inference: forward order; a tensor lives from its producer to its last reader (a skip tensor
        // across the whole block it skips), and an output nobody reads is freed at once.
        var inference = new Arena(tensors);
        inference.Allocate(0);
        string peak = string.Empty;
        int peakFloats = 0;
        for (int i = 0; i < computing.Count; i++)
        {
            LayerPlan layer = computing[i];
            if (layer.FoldedIntoProducer)
            {
                // Its input's only reader, folded away once frozen: it runs in that place, where a frozen producer writes its output.
                inference.Transfer(layer.InputTensor, layer.OutputTensor);
            }
            else
            {
                inference.Allocate(layer.OutputTensor);
            }

            if (inference.InUse > peakFloats)
            {
                peakFloats = inference.InUse;
                peak = layer.Name;
            }

            foreach (int tensor in layer.InputTensors.Append(layer.OutputTensor).Distinct())
            {
                bool readLater = computing.Skip(i + 1).Any(later => later.InputTensors.Contains(tensor));
                if (!readLater && tensor != outputTensor)
                {
                    inference.Free(tensor);
                }
            }
        }

        // Gradients: backward order over the live layers; dOutput is written by the consumers, read by the
        // producer. A reader's share of a gradient lives only through that reader's backward and the addition.
        var gradients = new Arena(tensors);
        gradients.Allocate(outputTensor);
        for (int i = computing.Count - 1; i >= 0; i--)
        {
            LayerPlan layer = computing[i];
            if (!layer.IsLive)
            {
                continue;
            }

            foreach (int target in layer.GradientTargets.Concat(layer.InputTensors))
            {
                gradients.Allocate(target);
            }

            if (!layer.InputTensors.Contains(layer.OutputTensor))
            {
                gradients.Free(layer.OutputTensor);
            }

            foreach (int share in layer.GradientTargets.Where(target => tensors[target].GradientOnly))
            {
                gradients.Free(share);
            }
        }

        var training = new int[tensors.Count];
        int trainingFloats = 0;
        foreach (TensorPlan tensor in tensors.Where(tensor => !tensor.GradientOnly))
        {
            training[tensor.Id] = trainingFloats;
            trainingFloats += tensor.Size;
        }

        return new MemoryPlan(
            inference.Offsets.ToEquatableArray(),
            training.ToEquatableArray(),
            gradients.Offsets.ToEquatableArray(),
            inference.HighWater,
            trainingFloats,
            gradients.HighWater,
            peak);
    }

    /// <summary>First-fit allocation of per-sample tensor sizes in one linear arena.</summary>
    private sealed class Arena
    {
        private readonly IReadOnlyList<TensorPlan> _tensors;
        private readonly List<(int Offset, int Size, int Tensor)> _live = new();

        public Arena(IReadOnlyList<TensorPlan> tensors)
        {
            _tensors = tensors;
            Offsets = Enumerable.Repeat(-1, tensors.Count).ToArray();
        }

        public int[] Offsets { get; }

        public int HighWater { get; private set; }

        public int InUse => _live.Sum(block => block.Size);

        public void Allocate(int tensor)
        {
            if (_live.Any(block => block.Tensor == tensor))
            {
                return;
            }

            int size = _tensors[tensor].Size, offset = 0;
            foreach ((int Offset, int Size, int Tensor) block in _live.OrderBy(block => block.Offset))
            {
                if (block.Offset - offset >= size)
                {
                    break;
                }

                offset = System.Math.Max(offset, block.Offset + block.Size);
            }

            _live.Add((offset, size, tensor));
            Offsets[tensor] = offset;
            HighWater = System.Math.Max(HighWater, offset + size);
        }

        /// <summary>Hands the place of live tensor <paramref name="from"/> (of the same size) to <paramref name="to"/>.</summary>
        public void Transfer(int from, int to)
        {
            int block = _live.FindIndex(live => live.Tensor == from);
            _live[block] = (_live[block].Offset, _live[block].Size, to);
            Offsets[to] = _live[block].Offset;
        }

        public void Free(int tensor) => _live.RemoveAll(block => block.Tensor == tensor);
    }
}
