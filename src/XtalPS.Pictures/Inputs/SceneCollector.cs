using System;
using System.Collections.Generic;
using XtalPS.Spots;

namespace XtalPS.Pictures
{
    /// <summary>
    /// Groups a stream of pipeline objects into one scene per image: objects of the same image that arrive one after
    /// another are drawn together, and a scene is handed out as soon as an object of another image arrives, so a run
    /// of thousands of images is drawn in bounded memory.
    /// </summary>
    public sealed class SceneCollector
    {
        private DiffractionScene? _current;

        /// <summary>Adds an object; returns the finished scene of the previous image when this object starts a new one.</summary>
        /// <exception cref="ArgumentException">The object is neither image-bound nor a spot following an image.</exception>
        public DiffractionScene? Add(object o)
        {
            if (o is BraggSpot)
            {
                if (_current == null) throw new ArgumentException("A single spot does not know its image: pipe the image first, then its spots (or the whole spot list).");
                _current.Add(o);
                return null;
            }
            if (!PictureInput.IsImageBound(o))
                throw new ArgumentException($"A {o?.GetType().Name ?? "null"} is not something drawn on an image: pipe images, spot lists, lattices, reflection tables or spots.");
            string key = PictureInput.KeyOf(o);
            DiffractionScene? finished = null;
            if (_current != null && (key.Length == 0 || _current.Key.Length == 0 || key != _current.Key))
            {
                finished = _current;
                _current = null;
            }
            _current ??= new DiffractionScene(key);
            _current.Add(o);
            return finished;
        }

        /// <summary>The scene still open at the end of the stream, if any.</summary>
        public DiffractionScene? Finish()
        {
            var last = _current;
            _current = null;
            return last;
        }
    }
}
