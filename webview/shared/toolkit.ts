// The ONLY module that imports @vscode/webview-ui-toolkit (deprecated upstream): it registers the components
// the panels use and hands out small typed constructors, so swapping the component library touches this file
// alone. Panels get plain HTMLElements back; every label and cell is set with textContent.
// To use another component: add its registration below and a constructor that returns an HTMLElement.
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import { el, setAttribute } from './dom';

provideVSCodeDesignSystem().register(
  vsCodeBadge(),
  vsCodeButton(),
  vsCodeCheckbox(),
  vsCodeDataGrid(),
  vsCodeDataGridCell(),
  vsCodeDataGridRow(),
  vsCodeDivider(),
  vsCodeDropdown(),
  vsCodeOption(),
  vsCodeProgressRing(),
  vsCodeTextField(),
);

function component(tag: string, options: { class?: string; title?: string; ariaLabel?: string } = {}, text?: string): HTMLElement {
  const element = document.createElement(tag);
  if (options.class) element.className = options.class;
  if (options.title !== undefined) element.setAttribute('title', options.title);
  if (options.ariaLabel !== undefined) element.setAttribute('aria-label', options.ariaLabel);
  if (text !== undefined) element.textContent = text;
  return element;
}

export interface ButtonOptions {
  appearance?: 'primary' | 'secondary' | 'icon';
  title?: string;
  class?: string;
  disabled?: boolean;
  onClick: () => void;
}

export function button(label: string, options: ButtonOptions): HTMLElement {
  const element = component('vscode-button', { class: options.class, title: options.title, ariaLabel: options.title ?? label }, label);
  if (options.appearance) element.setAttribute('appearance', options.appearance);
  if (options.disabled) element.setAttribute('disabled', '');
  element.addEventListener('click', () => {
    if (!element.hasAttribute('disabled')) options.onClick();
  });
  return element;
}

/** A text field; `value` reads and writes what is typed. */
export interface TextFieldElement extends HTMLElement {
  value: string;
}

export interface TextFieldOptions {
  placeholder?: string;
  value?: string;
  ariaLabel: string;
  class?: string;
  /** Called on every keystroke with the current text. */
  onInput?: (value: string) => void;
}

export function textField(options: TextFieldOptions): TextFieldElement {
  const element = component('vscode-text-field', { class: options.class, ariaLabel: options.ariaLabel }) as TextFieldElement;
  if (options.placeholder !== undefined) element.setAttribute('placeholder', options.placeholder);
  if (options.value !== undefined) element.value = options.value;
  if (options.onInput) {
    const onInput = options.onInput;
    element.addEventListener('input', () => onInput(element.value));
  }
  return element;
}

export interface DropdownChoice {
  value: string;
  label: string;
}

/** A dropdown; `value` is the selected choice's value. */
export interface DropdownElement extends HTMLElement {
  value: string;
}

export function dropdown(choices: DropdownChoice[], options: { selected?: string; ariaLabel: string; class?: string; onChange?: (value: string) => void }): DropdownElement {
  const element = component('vscode-dropdown', { class: options.class, ariaLabel: options.ariaLabel }) as DropdownElement;
  for (const choice of choices) {
    const option = component('vscode-option', {}, choice.label);
    option.setAttribute('value', choice.value);
    if (choice.value === options.selected) option.setAttribute('selected', '');
    element.append(option);
  }
  if (options.onChange) {
    const onChange = options.onChange;
    element.addEventListener('change', () => onChange(element.value));
  }
  return element;
}

export function checkbox(label: string, options: { checked?: boolean; class?: string; onChange: (checked: boolean) => void }): HTMLElement {
  const element = component('vscode-checkbox', { class: options.class }, label) as HTMLElement & { checked: boolean };
  if (options.checked) element.setAttribute('checked', '');
  element.addEventListener('change', () => options.onChange(element.checked));
  return element;
}

export interface GridColumn {
  title: string;
  /** A CSS grid track size such as `1fr` or `120px`; default `1fr`. */
  width?: string;
}

/**
 * A read-only data grid built row by row (not through `rowsData`), so each cell is a text node we created.
 * `rows[i][j]` is the text of column j.
 */
export function dataGrid(columns: GridColumn[], rows: string[][], options: { ariaLabel: string; class?: string }): HTMLElement {
  const grid = component('vscode-data-grid', { class: options.class, ariaLabel: options.ariaLabel });
  grid.setAttribute('generate-header', 'none');
  setAttribute(grid, 'grid-template-columns', columns.map((c) => c.width ?? '1fr').join(' '));
  const header = component('vscode-data-grid-row');
  header.setAttribute('row-type', 'header');
  columns.forEach((column, i) => header.append(gridCell(column.title, i, 'columnheader')));
  grid.append(header);
  for (const row of rows) {
    const line = component('vscode-data-grid-row');
    row.forEach((text, i) => line.append(gridCell(text, i, 'default')));
    grid.append(line);
  }
  return grid;
}

function gridCell(text: string, index: number, type: 'columnheader' | 'default'): HTMLElement {
  const cell = component('vscode-data-grid-cell', {}, text);
  cell.setAttribute('grid-column', String(index + 1));
  if (type === 'columnheader') cell.setAttribute('cell-type', 'columnheader');
  return cell;
}

export function progressRing(options: { ariaLabel: string; class?: string }): HTMLElement {
  return component('vscode-progress-ring', { class: options.class, ariaLabel: options.ariaLabel });
}

export function divider(): HTMLElement {
  return component('vscode-divider');
}

export function badge(text: string, options: { class?: string; title?: string } = {}): HTMLElement {
  return component('vscode-badge', options, text);
}

/** A plain wrapper so panels never need to know which tags the toolkit uses for layout. */
export function toolbar(...children: HTMLElement[]): HTMLElement {
  const bar = el('div', { class: 'toolbar', role: 'toolbar' });
  bar.append(...children);
  return bar;
}
