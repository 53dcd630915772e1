/** A labelled <select> that calls `onChange` with the chosen value: the pickers of the topology view and the IPFS panel. */
export function selectBox(label: string, id: string, options: [string, string][], value: string, onChange: (v: string) => void): HTMLLabelElement {
  const l = document.createElement("label");
  l.textContent = `${label}: `;
  const sel = document.createElement("select");
  sel.id = id;
  for (const [v, text] of options) {
    const o = document.createElement("option");
    o.value = v;
    o.textContent = text;
    sel.append(o);
  }
  sel.value = value;
  sel.addEventListener("change", () => onChange(sel.value));
  l.append(sel);
  return l;
}
