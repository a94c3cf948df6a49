import { useState, type DragEvent } from 'react';

/**
 * Drop files here, or press a button (the zone itself is not a second tab stop). Several files
 * dropped or chosen together are paired into one dataset (control + treatment, leads + deals).
 */
export function DropZone({
  disabled,
  onFiles,
  onChoose,
  onChooseMany,
}: {
  disabled: boolean;
  onFiles(f: File[]): void;
  onChoose(): void;
  onChooseMany(): void;
}) {
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const files = [...e.dataTransfer.files];
    if (files.length && !disabled) onFiles(files);
  };
  return (
    <div
      className={`dropzone${over ? ' over' : ''}`}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p>
        Drop a CSV, JSON or NDJSON file here (also .gz, .zip or Parquet, as Mixpanel, Amplitude, Segment or GA4 export them): an event log, an aggregated funnel
        export or a user-level table. Drop two or more together to import them as one dataset (one file per variant, or leads + deals joined on an id).
      </p>
      <div className="dropzone-buttons">
        <button onClick={onChoose} disabled={disabled} data-testid="choose-file">
          Choose file…
        </button>
        <button onClick={onChooseMany} disabled={disabled} data-testid="choose-files">
          Choose several files…
        </button>
      </div>
      <p className="muted small">The file is read on this computer; nothing leaves it.</p>
    </div>
  );
}
